/**
 * One paired comparison of two models on the same tasks, with every test testtune reports:
 * the bootstrap interval and sign-flip test (paired.ts), the paired t-test (t-test.ts), the
 * Wilcoxon signed-rank test (wilcoxon.ts), McNemar's test when both sides have one sample per
 * task (mcnemar.ts: greedy pass@1 is pass/fail), and Holm's correction over a family of
 * comparisons (holm.ts). Used by the eval stage's summary and by `testtune compare`.
 */
import { UsageError } from "../errors.js";
import { mean } from "../util/stats.js";
import { holmAdjust } from "./holm.js";
import { mcnemar, type McNemarResult } from "./mcnemar.js";
import { pairedDifference } from "./paired.js";
import { passAtK } from "./pass-at-k.js";
import type { TaskResult } from "./results.js";
import { pairedTTest, type TTestResult } from "./t-test.js";
import { wilcoxonSignedRank, type WilcoxonResult } from "./wilcoxon.js";

export const COMPARED_METRICS = ["pass@1", "mutation", "strong@1", "valid_mutation"] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

/** A test's p-value after Holm's correction over its family; null when alone or undefined. */
interface Adjusted {
  p_holm: number | null;
}

export interface Comparison {
  baseline: string;
  model: string;
  metric: ComparedMetric;
  tasks: number;
  /** Mean of the metric over the tasks, on each side. */
  baseline_mean: number;
  model_mean: number;
  /** mean(model - baseline) over tasks. */
  mean_diff: number;
  /** Tasks where the model was ahead, behind, level. */
  wins: number;
  losses: number;
  ties: number;
  bootstrap: { confidence: number; resamples: number; ci_low: number; ci_high: number };
  /** statistic: the mean difference, whose distribution under random sign flips gives p. */
  sign_flip: { statistic: number; resamples: number; p_value: number } & Adjusted;
  t_test: TTestResult & Adjusted;
  wilcoxon: WilcoxonResult & Adjusted;
  /** Only for pass@1 when every task has exactly one sample on both sides. */
  mcnemar: (McNemarResult & Adjusted) | null;
}

export interface ComparisonOptions {
  seed: number;
  resamples?: number;
  confidence?: number;
}

/** A task's value of the metric; undefined where the task has none (valid_mutation without a valid file). */
const METRIC_OF: Record<ComparedMetric, (t: TaskResult) => number | undefined> = {
  "pass@1": (t) => passAtK(t.n, t.c, 1),
  mutation: (t) => t.mutation,
  "strong@1": (t) => passAtK(t.n, t.strong ?? 0, 1),
  valid_mutation: (t) => t.valid_mutation,
};

/** The fewest tasks valid on both sides for which valid_mutation is compared: an interval needs a spread. */
export const MIN_VALID_MUTATION_TASKS = 2;

/**
 * Whether the metric can be compared: strong@1 only where both sides computed strength metrics;
 * valid_mutation (the valid files' mutation score, paired over the tasks where both sides wrote
 * a valid file) only where at least MIN_VALID_MUTATION_TASKS tasks have it on both sides.
 */
export function measuredOnBoth(metric: ComparedMetric, baseline: readonly TaskResult[], model: readonly TaskResult[]): boolean {
  if (metric === "strong@1") return [...baseline, ...model].every((t) => t.strong !== undefined);
  if (metric === "valid_mutation") {
    const modelValid = new Set(model.filter((t) => t.valid_mutation !== undefined).map((t) => t.task_id));
    return baseline.filter((t) => t.valid_mutation !== undefined && modelValid.has(t.task_id)).length >= MIN_VALID_MUTATION_TASKS;
  }
  return true;
}

/** The tasks in the baseline's order; an error naming the difference when the task sets differ. */
export function alignTasks(baseline: readonly TaskResult[], model: readonly TaskResult[], labels: { baseline: string; model: string }): [TaskResult, TaskResult][] {
  const byId = new Map(model.map((t) => [t.task_id, t]));
  const baseIds = new Set(baseline.map((t) => t.task_id));
  const onlyBaseline = baseline.filter((t) => !byId.has(t.task_id)).map((t) => t.task_id);
  const onlyModel = model.filter((t) => !baseIds.has(t.task_id)).map((t) => t.task_id);
  if (onlyBaseline.length > 0 || onlyModel.length > 0) {
    const list = (ids: string[]): string => `${ids.length} (${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", ..." : ""})`;
    const parts = [onlyBaseline.length > 0 ? `only in ${labels.baseline}: ${list(onlyBaseline)}` : "", onlyModel.length > 0 ? `only in ${labels.model}: ${list(onlyModel)}` : ""].filter((p) => p !== "");
    throw new UsageError(
      `${labels.model} and ${labels.baseline} were not evaluated on the same tasks: ${parts.join("; ")}`,
      "a paired comparison needs the same eval tasks on both sides: evaluate both with the same tasks file and eval.max_tasks (docs/results.md)",
    );
  }
  return baseline.map((t) => [t, byId.get(t.task_id) as TaskResult]);
}

/**
 * Compares `model` with `baseline` on one metric, task by task (the task sets must be equal),
 * over the tasks where both sides have a value (all of them, except for valid_mutation).
 */
export function compareModels(
  baseline: { name: string; per_task: readonly TaskResult[] },
  model: { name: string; per_task: readonly TaskResult[] },
  metric: ComparedMetric,
  options: ComparisonOptions,
): Comparison {
  const value = METRIC_OF[metric];
  const pairs = alignTasks(baseline.per_task, model.per_task, { baseline: baseline.name, model: model.name }).filter(([x, y]) => value(x) !== undefined && value(y) !== undefined);
  const a = pairs.map(([t]) => value(t) as number);
  const b = pairs.map(([, t]) => value(t) as number);
  const resamples = options.resamples ?? 2000;
  const paired = pairedDifference(a, b, { seed: options.seed, resamples, confidence: options.confidence ?? 0.95 });
  const diffs = b.map((x, i) => x - (a[i] as number));
  const greedy = metric === "pass@1" && pairs.every(([x, y]) => x.n === 1 && y.n === 1);
  return {
    baseline: baseline.name,
    model: model.name,
    metric,
    tasks: paired.tasks,
    baseline_mean: mean(a),
    model_mean: mean(b),
    mean_diff: paired.mean_diff,
    wins: paired.wins,
    losses: paired.losses,
    ties: paired.ties,
    bootstrap: { confidence: paired.confidence, resamples, ci_low: paired.ci_low, ci_high: paired.ci_high },
    sign_flip: { statistic: paired.mean_diff, resamples, p_value: paired.p_value, p_holm: null },
    t_test: { ...pairedTTest(diffs), p_holm: null },
    wilcoxon: { ...wilcoxonSignedRank(diffs), p_holm: null },
    mcnemar: greedy ? { ...mcnemar(pairs.map(([t]) => t.c === 1), pairs.map(([, t]) => t.c === 1)), p_holm: null } : null,
  };
}

/**
 * Fills each test's p_holm: Holm's correction over the comparisons of the same metric (e.g.
 * DPO, PPO and GRPO each against SFT on pass@1 form one family per test). A family of one
 * comparison has nothing to correct and keeps null.
 */
export function withHolm(comparisons: readonly Comparison[]): Comparison[] {
  const out = comparisons.map((c) => ({
    ...c,
    sign_flip: { ...c.sign_flip },
    t_test: { ...c.t_test },
    wilcoxon: { ...c.wilcoxon },
    mcnemar: c.mcnemar === null ? null : { ...c.mcnemar },
  }));
  for (const metric of COMPARED_METRICS) {
    const family = out.filter((c) => c.metric === metric);
    if (family.length < 2) continue;
    const tests = [(c: Comparison) => c.sign_flip, (c: Comparison) => c.t_test, (c: Comparison) => c.wilcoxon, (c: Comparison) => c.mcnemar];
    for (const testOf of tests) {
      const adjusted = holmAdjust(family.map((c) => testOf(c)?.p_value ?? null));
      family.forEach((c, i) => {
        const result = testOf(c);
        if (result !== null) result.p_holm = adjusted[i] ?? null;
      });
    }
  }
  return out;
}
