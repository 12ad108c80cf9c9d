/**
 * McNemar's test (McNemar 1947) for two models' pass/fail on the same tasks, as greedy pass@1
 * gives it: only the discordant tasks count, b = tasks the baseline passed and the model failed,
 * c = tasks the model passed and the baseline failed. Under H0, b ~ Binomial(b + c, 1/2).
 *
 * - exact when b + c <= 25 (the common rule of thumb, as in the University of Amsterdam's
 *   statistics pages, fon.hum.uva.nl/Service/Statistics/McNemars_test.html: the normal
 *   approximation for b + c > 25): p = min(1, 2 P(X <= min(b, c))), X ~ Bin(b + c, 1/2);
 *   statistic = min(b, c). This is statsmodels' mcnemar(table, exact=True).
 * - otherwise the chi-square statistic with Edwards' (1948) continuity correction,
 *   (|b - c| - 1)^2 / (b + c), on 1 degree of freedom: statsmodels' mcnemar(table, exact=False,
 *   correction=True).
 *
 * Both are conservative; Fagerland, Lydersen & Laake (2013, BMC Med. Res. Methodol. 13:91) find
 * a mid-p version closer to the nominal level. testtune keeps the two standard forms so that
 * its numbers can be checked with any statistics package. No discordant task (b + c = 0) is no
 * evidence: statistic 0, p = 1.
 */
import { UsageError } from "../errors.js";
import { binomialCdf, chiSquareUpperTail } from "./distributions.js";

export interface McNemarResult {
  /** min(b, c) for the exact test, the corrected chi-square otherwise. */
  statistic: number;
  /** Tasks the baseline passed and the model failed. */
  baseline_only: number;
  /** Tasks the model passed and the baseline failed. */
  model_only: number;
  method: "exact" | "chi2";
  p_value: number;
}

/** The most discordant tasks for which the exact test is used. */
const MCNEMAR_EXACT_MAX = 25;

export function mcnemarCounts(baselineOnly: number, modelOnly: number): McNemarResult {
  const b = baselineOnly;
  const c = modelOnly;
  const discordant = b + c;
  if (discordant <= MCNEMAR_EXACT_MAX) {
    const p = discordant === 0 ? 1 : Math.min(1, 2 * binomialCdf(Math.min(b, c), discordant, 0.5));
    return { statistic: Math.min(b, c), baseline_only: b, model_only: c, method: "exact", p_value: p };
  }
  const statistic = (Math.abs(b - c) - 1) ** 2 / discordant;
  return { statistic, baseline_only: b, model_only: c, method: "chi2", p_value: chiSquareUpperTail(statistic, 1) };
}

/** McNemar's test from each task's pass (true) or fail on both sides, in the same task order. */
export function mcnemar(baseline: readonly boolean[], model: readonly boolean[]): McNemarResult {
  if (baseline.length !== model.length) throw new UsageError(`McNemar's test needs the same tasks on both sides (${baseline.length} vs ${model.length})`);
  let b = 0;
  let c = 0;
  baseline.forEach((passed, i) => {
    if (passed && !model[i]) b += 1;
    if (!passed && model[i]) c += 1;
  });
  return mcnemarCounts(b, c);
}
