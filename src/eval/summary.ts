/** The run-level evaluation summary (eval/results.json): every model, and paired comparisons. */
import { pairedDifference, type PairedResult } from "./paired.js";
import { passAtK } from "./pass-at-k.js";
import type { ModelResults } from "./results.js";

export interface Comparison extends PairedResult {
  baseline: string;
  model: string;
  metric: "pass@1" | "mutation" | "strong@1";
}

export interface EvalSummary {
  format: 1;
  ks: number[];
  /** The model every other one is compared with; null when there is none to compare. */
  baseline: string | null;
  models: Omit<ModelResults, "per_task">[];
  comparisons: Comparison[];
  /** pass@1 of each model, by name: the headline numbers. */
  "pass@1": Record<string, number>;
}

/**
 * The baseline of the comparisons: the one asked for, else `sft` when it was evaluated (what
 * preference and RL training set out to beat), else the first model.
 */
export function chooseBaseline(models: readonly string[], requested?: string): string | undefined {
  if (requested !== undefined) return models.includes(requested) ? requested : undefined;
  return models.includes("sft") ? "sft" : models[0];
}

/** Compares every other model with the baseline, task by task. */
export function summarize(results: readonly ModelResults[], ks: number[], seed: number, requestedBaseline?: string): EvalSummary {
  const comparisons: Comparison[] = [];
  const baselineName = chooseBaseline(results.map((r) => r.model), requestedBaseline);
  const baseline = results.find((r) => r.model === baselineName);
  if (baseline !== undefined) {
    const order = baseline.per_task.map((t) => t.task_id);
    for (const other of results.filter((r) => r !== baseline)) {
      const byId = new Map(other.per_task.map((t) => [t.task_id, t]));
      const shared = order.filter((id) => byId.has(id));
      const base = new Map(baseline.per_task.map((t) => [t.task_id, t]));
      const pick = (m: Map<string, ModelResults["per_task"][number]>, f: (t: ModelResults["per_task"][number]) => number): number[] =>
        shared.map((id) => f(m.get(id) as ModelResults["per_task"][number]));
      const pass1 = (t: ModelResults["per_task"][number]): number => passAtK(t.n, t.c, 1);
      comparisons.push({ baseline: baseline.model, model: other.model, metric: "pass@1", ...pairedDifference(pick(base, pass1), pick(byId, pass1), { seed }) });
      comparisons.push({ baseline: baseline.model, model: other.model, metric: "mutation", ...pairedDifference(pick(base, (t) => t.mutation), pick(byId, (t) => t.mutation), { seed }) });
      if (baseline.per_task.every((t) => t.strong !== undefined) && other.per_task.every((t) => t.strong !== undefined)) {
        const strong1 = (t: ModelResults["per_task"][number]): number => passAtK(t.n, t.strong ?? 0, 1);
        comparisons.push({ baseline: baseline.model, model: other.model, metric: "strong@1", ...pairedDifference(pick(base, strong1), pick(byId, strong1), { seed }) });
      }
    }
  }
  return {
    format: 1,
    ks,
    baseline: results.length > 1 && baseline !== undefined ? baseline.model : null,
    models: results.map(({ per_task: _perTask, ...rest }) => rest),
    comparisons,
    "pass@1": Object.fromEntries(results.map((r) => [r.model, r["pass@1"]])),
  };
}
