/**
 * Metrics of test strength, beside pass@k (which only asks whether a file is valid):
 *
 * - strong@k: the unbiased pass@k estimator (pass-at-k.ts) with "strong" in place of
 *   "valid": a sample is strong when its file is valid and kills at least `threshold` of the
 *   task's mutants (likely-equivalent ones left out). A valid file on code with no mutant to
 *   kill is not strong: nothing says it would catch a fault.
 * - the distribution of mutation scores over valid files (quantiles and a histogram of ten
 *   bins), so that a mean cannot hide many weak files behind a few strong ones;
 * - per valid file: assertions that ran, distinct checks written and distinct inputs the tests
 *   call the code with (static, src/quality/static-assertions.ts).
 */
import { mean, meanOrNull } from "../util/stats.js";
import { passAtK } from "./pass-at-k.js";
import { reachesStrong, STRONG } from "../quality/rewards.js";

/** The default strong@k threshold: HumanEval's own tests reach it on most tasks (docs/rewards.md); the `strong` reward pays at the same. */
export const DEFAULT_STRONG_AT: number = STRONG.at;

/** The fields of a score line these metrics read. */
export interface StrengthFields {
  task_id: string;
  valid: boolean;
  mutation?: { score: number; total?: number } | null;
  assertions?: number;
  distinct_assertions?: number;
  distinct_inputs?: number;
}

export interface StrengthResults {
  /** The threshold strong@k used. */
  strong_at: number;
  /** strong@k for each k (`strong@1`, ...), averaged over tasks. */
  strong_at_k: Record<string, number>;
  /** Valid files that had their mutants run. */
  valid_files_measured: number;
  /** Mutation scores of valid files: quantiles, and counts in ten bins [0, 0.1), ..., [0.9, 1]. */
  mutation_quantiles: { p10: number; p25: number; median: number; p75: number; p90: number } | null;
  mutation_histogram: number[];
  /** Means over valid files. */
  assertions_per_file: number | null;
  distinct_assertions_per_file: number | null;
  distinct_inputs_per_file: number | null;
}

export function isStrong(s: StrengthFields, threshold: number): boolean {
  const m = s.mutation;
  return s.valid && m !== undefined && m !== null && (m.total ?? 1) > 0 && reachesStrong(m.score, threshold);
}

/** The q-quantile of sorted values, by linear interpolation between order statistics. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError("quantile of no values");
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo);
}

/** Strong samples per task, in the order of `taskIds`. */
export function strongPerTask(scores: readonly StrengthFields[], taskIds: readonly string[], threshold: number): Map<string, { n: number; strong: number }> {
  const out = new Map(taskIds.map((id) => [id, { n: 0, strong: 0 }]));
  for (const s of scores) {
    const t = out.get(s.task_id);
    if (t === undefined) continue;
    t.n += 1;
    if (isStrong(s, threshold)) t.strong += 1;
  }
  return out;
}

export function computeStrength(scores: readonly StrengthFields[], taskIds: readonly string[], ks: readonly number[], threshold = DEFAULT_STRONG_AT): StrengthResults {
  const perTask = [...strongPerTask(scores, taskIds, threshold).values()].filter((t) => t.n > 0);
  const strongAtK: Record<string, number> = {};
  for (const k of ks) strongAtK[`strong@${k}`] = perTask.length === 0 ? 0 : mean(perTask.map((t) => passAtK(t.n, t.strong, k)));
  const valid = scores.filter((s) => s.valid);
  const measured = valid.filter((s) => s.mutation !== undefined && s.mutation !== null && (s.mutation.total ?? 1) > 0).map((s) => s.mutation?.score ?? 0);
  const sorted = [...measured].sort((a, b) => a - b);
  const histogram = Array.from({ length: 10 }, () => 0);
  for (const m of measured) {
    const bin = Math.min(9, Math.floor(m * 10 + 1e-9));
    histogram[bin] = (histogram[bin] as number) + 1;
  }
  const field = (f: (s: StrengthFields) => number | undefined): number | null => meanOrNull(valid.map(f).filter((x): x is number => x !== undefined));
  return {
    strong_at: threshold,
    strong_at_k: strongAtK,
    valid_files_measured: measured.length,
    mutation_quantiles:
      sorted.length === 0
        ? null
        : { p10: quantile(sorted, 0.1), p25: quantile(sorted, 0.25), median: quantile(sorted, 0.5), p75: quantile(sorted, 0.75), p90: quantile(sorted, 0.9) },
    mutation_histogram: histogram,
    assertions_per_file: field((s) => s.assertions),
    distinct_assertions_per_file: field((s) => s.distinct_assertions),
    distinct_inputs_per_file: field((s) => s.distinct_inputs),
  };
}
