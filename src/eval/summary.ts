/** The run-level evaluation summary (eval/results.json, docs/results.md): every model, and paired comparisons. */
import { compareModels, COMPARED_METRICS, measuredOnBoth, withHolm, type Comparison } from "./comparison.js";
import type { ModelResults, TaskResult } from "./results.js";
import { RESULTS_SCHEMA_VERSION } from "./results-file.js";

export type { Comparison } from "./comparison.js";

export interface EvalSummary {
  schema_version: typeof RESULTS_SCHEMA_VERSION;
  /** The testtune that wrote the file. */
  testtune_version: string;
  /** The seed of the bootstrap and sign-flip resampling. */
  seed: number;
  ks: number[];
  /** The model every other one is compared with; null when there is none to compare. */
  baseline: string | null;
  models: Omit<ModelResults, "per_task">[];
  /** Each model's per-task counts, by model name: what `testtune compare` pairs. */
  per_task: Record<string, TaskResult[]>;
  /** Each other model against the baseline, per metric; p_holm corrects over the models compared. */
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

export interface SummaryOptions {
  ks: number[];
  seed: number;
  testtuneVersion: string;
  baseline?: string;
}

/** Compares every other model with the baseline, task by task. */
export function summarize(results: readonly ModelResults[], options: SummaryOptions): EvalSummary {
  const comparisons: Comparison[] = [];
  const baselineName = chooseBaseline(results.map((r) => r.model), options.baseline);
  const baseline = results.find((r) => r.model === baselineName);
  if (baseline !== undefined) {
    for (const other of results.filter((r) => r !== baseline)) {
      for (const metric of COMPARED_METRICS) {
        if (!measuredOnBoth(metric, baseline.per_task, other.per_task)) continue;
        comparisons.push(compareModels({ name: baseline.model, per_task: baseline.per_task }, { name: other.model, per_task: other.per_task }, metric, { seed: options.seed }));
      }
    }
  }
  return {
    schema_version: RESULTS_SCHEMA_VERSION,
    testtune_version: options.testtuneVersion,
    seed: options.seed,
    ks: options.ks,
    baseline: results.length > 1 && baseline !== undefined ? baseline.model : null,
    models: results.map(({ per_task: _perTask, ...rest }) => rest),
    per_task: Object.fromEntries(results.map((r) => [r.model, r.per_task])),
    comparisons: withHolm(comparisons),
    "pass@1": Object.fromEntries(results.map((r) => [r.model, r["pass@1"]])),
  };
}
