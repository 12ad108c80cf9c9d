/**
 * Paired comparison of two models on the same tasks: the mean per-task difference, a
 * percentile bootstrap confidence interval over tasks (Efron & Tibshirani 1993, ch. 13), and
 * a two-sided sign-flip permutation p-value for "no difference" (Good 2005, "Permutation,
 * Parametric and Bootstrap Tests of Hypotheses", ch. 3). Pairing by task removes the
 * task-difficulty variance that dominates unpaired comparisons of pass@1.
 */
import { UsageError } from "../errors.js";
import { Rng } from "../util/rng.js";
import { mean } from "../util/stats.js";

export interface PairedResult {
  tasks: number;
  /** mean(b - a) */
  mean_diff: number;
  ci_low: number;
  ci_high: number;
  confidence: number;
  p_value: number;
  /** Tasks where b beat a, a beat b, and ties. */
  wins: number;
  losses: number;
  ties: number;
}

export interface PairedOptions {
  seed?: number;
  resamples?: number;
  confidence?: number;
}

export function pairedDifference(a: readonly number[], b: readonly number[], options: PairedOptions = {}): PairedResult {
  if (a.length !== b.length) throw new UsageError(`paired comparison needs the same tasks on both sides (${a.length} vs ${b.length})`);
  if (a.length === 0) throw new UsageError("paired comparison over zero tasks is undefined");
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const rng = new Rng(options.seed ?? 0);
  const diffs = a.map((x, i) => (b[i] as number) - x);
  const n = diffs.length;
  const observed = mean(diffs);

  const boot: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += diffs[rng.int(0, n - 1)] as number;
    boot.push(sum / n);
  }
  boot.sort((x, y) => x - y);
  const alpha = (1 - confidence) / 2;
  const at = (q: number): number => boot[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))] as number;

  // Sign-flip test: under H0 each task's difference is equally likely to have either sign.
  let extreme = 0;
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += rng.next() < 0.5 ? -(diffs[i] as number) : (diffs[i] as number);
    if (Math.abs(sum / n) >= Math.abs(observed) - 1e-12) extreme += 1;
  }
  return {
    tasks: n,
    mean_diff: observed,
    ci_low: at(alpha),
    ci_high: at(1 - alpha),
    confidence,
    p_value: (extreme + 1) / (resamples + 1),
    wins: diffs.filter((d) => d > 0).length,
    losses: diffs.filter((d) => d < 0).length,
    ties: diffs.filter((d) => d === 0).length,
  };
}
