/**
 * The Wilcoxon signed-rank test (Wilcoxon 1945) on per-task differences d_i = b_i - a_i.
 *
 * Zero differences are dropped before ranking (Wilcoxon's own treatment, scipy's default
 * zero_method='wilcox'); the n that remain are ranked by |d_i| with average ranks for ties, and
 *
 *     W+ = sum of the ranks of the positive d_i,  W- = n(n + 1)/2 - W+,  statistic = min(W+, W-)
 *
 * - exact (no ties, no zeros, n <= 50, like scipy's method='auto'): the null distribution of W+
 *   counts the subsets of {1..n} with each rank sum (every sign pattern equally likely), and
 *   p = min(1, 2 min(P(W+ <= w), P(W+ >= w))). Counts stay below 2^50, exact in a double.
 * - otherwise the normal approximation with the tie correction and a continuity correction:
 *
 *     z = (W+ - n(n+1)/4 - 0.5 sign(W+ - n(n+1)/4)) / sqrt(n(n+1)(2n+1)/24 - sum(t^3 - t)/48)
 *
 *   (t: the size of each group of tied |d|), p = 2 P(Z >= |z|). This is scipy's
 *   wilcoxon(d, method='asymptotic', correction=True) and R's wilcox.test default; scipy's own
 *   default leaves the continuity correction out and, with ties and n <= 13, runs a permutation
 *   test instead.
 *
 * Differences are rounded to 12 decimals first, so that float noise (0.6 - 0.4 against 0.4 - 0.2)
 * neither breaks ties nor turns a zero into a tiny difference: per-task scores are pass rates,
 * multiples of 1/n. Every difference zero leaves nothing to rank: statistic 0, p = 1 (scipy
 * answers nan).
 */
import { normalUpperTail } from "./distributions.js";

export interface WilcoxonResult {
  /** min(W+, W-). */
  statistic: number;
  /** The non-zero differences that were ranked. */
  n: number;
  method: "exact" | "normal";
  /** The standardized statistic with its corrections; null for the exact method. */
  z: number | null;
  p_value: number;
}

/** Average ranks (1-based) of the values, and the sizes of the groups of ties. */
function averageRanks(values: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = values.map((_, i) => i).sort((i, j) => (values[i] as number) - (values[j] as number));
  const ranks = new Array<number>(values.length);
  const tieSizes: number[] = [];
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1] as number] === values[order[start] as number]) end += 1;
    for (let j = start; j <= end; j++) ranks[order[j] as number] = (start + end) / 2 + 1;
    tieSizes.push(end - start + 1);
    start = end + 1;
  }
  return { ranks, tieSizes };
}

/** P(W+ <= w) and P(W+ >= w) under H0 for n untied ranks: counts of subsets of {1..n} by their sum. */
function exactTails(n: number, w: number): { lower: number; upper: number } {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) for (let s = (k * (k + 1)) / 2; s >= k; s--) counts[s] = (counts[s] as number) + (counts[s - k] as number);
  const total = 2 ** n;
  let lower = 0;
  for (let s = 0; s <= Math.floor(w); s++) lower += counts[s] as number;
  let upper = 0;
  for (let s = Math.ceil(w); s <= max; s++) upper += counts[s] as number;
  return { lower: lower / total, upper: upper / total };
}

/** The most differences for which the exact distribution is used (scipy's limit too). */
const WILCOXON_EXACT_MAX_N = 50;

export function wilcoxonSignedRank(diffs: readonly number[]): WilcoxonResult {
  const nonZero = diffs.map((d) => Math.round(d * 1e12) / 1e12).filter((d) => d !== 0);
  const n = nonZero.length;
  if (n === 0) return { statistic: 0, n: 0, method: "exact", z: null, p_value: 1 };
  const { ranks, tieSizes } = averageRanks(nonZero.map(Math.abs));
  const wPlus = nonZero.reduce((sum, d, i) => sum + (d > 0 ? (ranks[i] as number) : 0), 0);
  const statistic = Math.min(wPlus, (n * (n + 1)) / 2 - wPlus);
  const hasTies = tieSizes.some((t) => t > 1);
  const hadZeros = n < diffs.length;
  if (!hasTies && !hadZeros && n <= WILCOXON_EXACT_MAX_N) {
    const { lower, upper } = exactTails(n, wPlus);
    return { statistic, n, method: "exact", z: null, p_value: Math.min(1, 2 * Math.min(lower, upper)) };
  }
  const expected = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieSizes.reduce((sum, t) => sum + t ** 3 - t, 0) / 48;
  const shift = wPlus - expected;
  // Continuity correction: move half a rank toward the mean (none when W+ is the mean itself).
  const z = (shift - 0.5 * Math.sign(shift)) / Math.sqrt(variance);
  return { statistic, n, method: "normal", z, p_value: Math.min(1, 2 * normalUpperTail(Math.abs(z))) };
}
