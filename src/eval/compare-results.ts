/**
 * `testtune compare`: two evaluations of the same tasks (two results.json files), compared model
 * by model with the paired tests of comparison.ts. Side A is the baseline. Models are paired by
 * name; NAME_A=NAME_B pairs models named differently; two files of one model each are paired
 * without being asked. The task sets must be equal: a difference is an error that names it
 * (an intersection would silently change what is compared).
 */
import { UsageError } from "../errors.js";
import { alignTasks, compareModels, COMPARED_METRICS, measuredOnBoth, withHolm, type Comparison } from "./comparison.js";
import type { EvalSummary } from "./summary.js";

export interface ComparedSide {
  label: "A" | "B";
  file: string;
  summary: EvalSummary;
}

export interface ModelPair {
  a: string;
  b: string;
}

function requireModel(side: ComparedSide, name: string): void {
  const names = side.summary.models.map((m) => m.model);
  if (!names.includes(name)) {
    throw new UsageError(
      `model '${name}' is not in ${side.label} (${side.file}), which has: ${names.join(", ")}`,
      "--models takes names present in both results files, or NAME_A=NAME_B to pair models named differently",
    );
  }
}

/** The model pairs to compare: asked for with --models, else every name in both, else the only model of each. */
export function pairModels(a: ComparedSide, b: ComparedSide, requested?: readonly string[]): ModelPair[] {
  if (requested !== undefined && requested.length > 0) {
    return requested.map((entry) => {
      const [nameA, nameB, extra] = entry.split("=");
      if (nameA === undefined || nameA === "" || nameB === "" || extra !== undefined) {
        throw new UsageError(`--models entry '${entry}' is neither NAME nor NAME_A=NAME_B`, "e.g. --models sft,dpo or --models sft=my-served-model");
      }
      const pair = { a: nameA, b: nameB ?? nameA };
      requireModel(a, pair.a);
      requireModel(b, pair.b);
      return pair;
    });
  }
  const namesA = a.summary.models.map((m) => m.model);
  const namesB = b.summary.models.map((m) => m.model);
  const shared = namesA.filter((n) => namesB.includes(n));
  if (shared.length > 0) return shared.map((n) => ({ a: n, b: n }));
  if (namesA.length === 1 && namesB.length === 1) return [{ a: namesA[0] as string, b: namesB[0] as string }];
  throw new UsageError(`A (${a.file}) and B (${b.file}) have no model in common: A has ${namesA.join(", ")}; B has ${namesB.join(", ")}`, "name the pairs: --models NAME_A=NAME_B,...");
}

/** Every pair on every metric, B's model against A's, with Holm's correction over the pairs. */
export function compareResults(a: ComparedSide, b: ComparedSide, pairs: readonly ModelPair[], options: { seed: number }): Comparison[] {
  const perTask = (side: ComparedSide, name: string): { name: string; per_task: EvalSummary["per_task"][string] } => ({
    name: `${side.label}:${name}`,
    per_task: side.summary.per_task[name] ?? [],
  });
  const comparisons: Comparison[] = [];
  for (const pair of pairs) {
    // Checked here first so that the error names the files, not only the sides.
    alignTasks(perTask(a, pair.a).per_task, perTask(b, pair.b).per_task, { baseline: `${a.label}:${pair.a} (${a.file})`, model: `${b.label}:${pair.b} (${b.file})` });
    for (const metric of COMPARED_METRICS) {
      const [left, right] = [perTask(a, pair.a), perTask(b, pair.b)];
      if (measuredOnBoth(metric, left.per_task, right.per_task)) comparisons.push(compareModels(left, right, metric, options));
    }
  }
  return withHolm(comparisons);
}
