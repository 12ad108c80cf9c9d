/**
 * The paired t-test (Student 1908) on per-task differences d_i = b_i - a_i:
 *
 *     t = mean(d) / (s_d / sqrt(n)),   s_d^2 = sum (d_i - mean(d))^2 / (n - 1),   df = n - 1
 *
 * two-sided p = P(|T_df| >= |t|), from the regularized incomplete beta (distributions.ts). The
 * same as scipy.stats.ttest_rel(b, a). Edge cases, chosen to stay JSON-representable:
 * n < 2 has no variance, so statistic and p are null; every difference equal (s_d = 0) gives
 * t = 0 and p = 1 when they are all 0, and statistic null (t is infinite) with p = 0
 * otherwise, as scipy's inf and 0.
 */
import { mean } from "../util/stats.js";
import { studentTTwoSided } from "./distributions.js";

export interface TTestResult {
  /** t; null when undefined (n < 2) or infinite (every difference the same non-zero value). */
  statistic: number | null;
  df: number;
  p_value: number | null;
}

export function pairedTTest(diffs: readonly number[]): TTestResult {
  const n = diffs.length;
  const df = n - 1;
  if (n < 2) return { statistic: null, df: Math.max(0, df), p_value: null };
  const m = mean(diffs);
  const variance = diffs.reduce((sum, d) => sum + (d - m) ** 2, 0) / df;
  // Differences of pass rates are exact multiples of 1/n in theory but carry float noise in practice.
  if (variance <= 1e-24 * Math.max(1, m * m)) return m === 0 ? { statistic: 0, df, p_value: 1 } : { statistic: null, df, p_value: 0 };
  const t = m / Math.sqrt(variance / n);
  return { statistic: t, df, p_value: studentTTwoSided(t, df) };
}
