/**
 * Tasks of several kinds from one set of source tasks (each a module with its reference tests,
 * as every source adapter produces them). The task of kind K made from task T has the id
 * `T.id/K` (unit_test keeps T's id and has no `kind` field, so today's files are unchanged),
 * the same split, and T's code and tests; what a kind needs beyond that is built here:
 *
 * - solve: T's description (tasks without one yield no solve task);
 * - complete: `given` = the entry points' signatures and docstrings (the description as the
 *   docstring where the function has none), from python/testtune_executor/kinds_prep.py;
 * - bugfix: `given` = T's code with one injected bug that T's reference tests kill (bugs.ts);
 * - docstring, explain: from T's function, its docstring or description (text-tasks.ts); these
 *   need no reference tests, so the corpus yields them.
 *
 * Every task a kind cannot be made from is counted by kind and reason.
 */
import { ConfigError } from "../errors.js";
import type { Executor } from "../quality/score.js";
import type { KindName, Task } from "../tasks/schema.js";
import { KINDS, kindTaskId } from "./index.js";
import { bugfixTasks } from "./bugs.js";
import { prepareFunctions, type FunctionFacts } from "./functions.js";
import { textKindTasks } from "./text-tasks.js";

/** Kinds whose making runs code: bugfix keeps only bugs the reference tests kill; the text kinds run their references' stated examples. */
export const SANDBOX_KINDS: readonly KindName[] = ["bugfix", "docstring", "explain"];

/** Whether making these kinds needs the sandbox (see SANDBOX_KINDS). */
export function kindsNeedSandbox(kinds: readonly KindName[]): boolean {
  return kinds.some((k) => SANDBOX_KINDS.includes(k));
}

export interface ExpandOptions {
  seed: number;
  /** The sandbox: bugfix keeps only bugs the reference tests kill (required for bugfix); docstring and explain run their references' examples with it. */
  executor?: Executor;
  timeoutS?: number;
}

export interface ExpandResult {
  tasks: Task[];
  /** Per kind: tasks made, and tasks left out by reason (text kinds: how many references pass their check). */
  counts: Record<string, { made: number; dropped: Record<string, number>; reference_passed?: number; reference_unchecked?: number }>;
}

function drop(counts: ExpandResult["counts"], kind: KindName, reason: string): void {
  const entry = counts[kind] as ExpandResult["counts"][string];
  entry.dropped[reason] = (entry.dropped[reason] ?? 0) + 1;
}

/** Checks a --kinds / data.kinds list against the registry. */
export function checkKinds(kinds: readonly string[], where: { file: string; field: string }): KindName[] {
  const known = KINDS.map((k) => k.name);
  const unknown = kinds.filter((k) => !known.includes(k as KindName));
  if (unknown.length > 0 || kinds.length === 0) {
    throw new ConfigError(where.file, where.field, kinds.length === 0 ? "names no kind" : `unknown kind(s) ${unknown.join(", ")}`, { hint: `the kinds are ${known.join(", ")} (docs/kinds.md)` });
  }
  return [...new Set(kinds)] as KindName[];
}

/** The tasks of each requested kind, in source order then kind order. */
export async function expandKinds(source: readonly Task[], kinds: readonly KindName[], options: ExpandOptions): Promise<ExpandResult> {
  const counts: ExpandResult["counts"] = Object.fromEntries(kinds.map((k) => [k, { made: 0, dropped: {} }]));
  const base = source.filter((t) => (t.kind ?? "unit_test") === "unit_test");
  const byKind = new Map<KindName, Map<string, Task>>();
  for (const kind of kinds) byKind.set(kind, new Map());
  const withTests = base.filter((t) => t.tests !== undefined);
  // the syntax-tree facts (docstrings, given code) once, for the kinds that need them
  let facts: Promise<FunctionFacts[]> | undefined;
  const factsOf = (): Promise<FunctionFacts[]> => (facts ??= prepareFunctions(withTests));
  for (const kind of kinds) {
    const made = byKind.get(kind) as Map<string, Task>;
    if (kind === "unit_test") {
      for (const t of base) made.set(t.id, t);
      continue;
    }
    if (kind === "docstring" || kind === "explain") {
      const text = await textKindTasks(base, [kind], { executor: options.executor, timeoutS: options.timeoutS });
      for (const [id, t] of text.byKind[kind]) made.set(id, t);
      const { dropped, reference_passed, reference_unchecked } = text.counts[kind];
      counts[kind] = { made: 0, dropped, reference_passed, reference_unchecked }; // made is counted below
      continue;
    }
    for (const t of base) if (t.tests === undefined) drop(counts, kind, "no reference tests");
    if (kind === "solve") {
      const needDocstrings = withTests.some((t) => t.description === undefined || t.description.trim() === "");
      const all = needDocstrings ? await factsOf() : [];
      withTests.forEach((t, i) => {
        // a source without descriptions (HumanEval) states each problem in its docstring
        const description = t.description?.trim() || all[i]?.docstring?.trim();
        if (description === undefined || description === "") drop(counts, kind, "no description or docstring");
        else made.set(t.id, { ...t, id: kindTaskId(t, kind), kind, description });
      });
    } else if (kind === "complete") {
      const all = await factsOf();
      withTests.forEach((t, i) => {
        const given = all[i]?.given ?? null;
        if (given === null) drop(counts, kind, all[i]?.reason ?? "no entry-point function");
        else made.set(t.id, { ...t, id: kindTaskId(t, kind), kind, given });
      });
    } else if (kind === "bugfix") {
      if (options.executor === undefined) {
        throw new ConfigError("kinds", "bugfix", "needs the sandbox, to keep only bugs the reference tests kill", { hint: "run where the sandbox works ('testtune doctor' checks it)" });
      }
      const result = await bugfixTasks(withTests, { seed: options.seed, executor: options.executor, timeoutS: options.timeoutS });
      for (const [, reason] of result.dropped) drop(counts, kind, reason);
      const sourceIds = new Map(withTests.map((t) => [kindTaskId(t, kind), t.id]));
      for (const t of result.tasks) made.set(sourceIds.get(t.id) as string, t);
    } else {
      throw new ConfigError("kinds", kind, `tasks of kind '${kind}' are not made from source tasks here`, { hint: "docs/kinds.md says which command builds each kind" });
    }
  }
  const tasks: Task[] = [];
  for (const t of base) {
    for (const kind of kinds) {
      const made = byKind.get(kind)?.get(t.id);
      if (made !== undefined) {
        tasks.push(made);
        (counts[kind] as ExpandResult["counts"][string]).made += 1;
      }
    }
  }
  return { tasks, counts };
}
