/**
 * The paired statistics against independently computed values. Every expected number below was
 * computed with scipy 1.17.1 and statsmodels 0.15.0 (numpy 2.4.6, Python 3.11) in a virtual
 * environment outside this repository, with the call written next to it; `a`, `b`, `D200`,
 * `D60` and `D50` are the same lists in Python (see their definitions). Tolerance: 1e-12
 * absolute, or 1e-12 relative for p-values below 1e-6.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { binomialCdf, chiSquareUpperTail, normalUpperTail, studentTTwoSided } from "../../src/eval/distributions.js";
import { holmAdjust } from "../../src/eval/holm.js";
import { mcnemar, mcnemarCounts } from "../../src/eval/mcnemar.js";
import { pairedTTest } from "../../src/eval/t-test.js";
import { wilcoxonSignedRank } from "../../src/eval/wilcoxon.js";

function close(actual: number | null, expected: number, what: string): void {
  assert.ok(actual !== null, `${what}: got null`);
  const tolerance = Math.abs(expected) < 1e-6 ? 1e-12 * Math.abs(expected) : 1e-12;
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected} (difference ${Math.abs(actual - expected)})`);
}

// Per-task pass rates of two models on 8 tasks (5 samples each).
const a = [0.2, 0.4, 0, 1, 0.6, 0.8, 0, 0.2];
const b = [0.4, 0.4, 0.2, 1, 1, 0.6, 0.2, 0.6];
const diff = (x: readonly number[], y: readonly number[]): number[] => x.map((v, i) => (y[i] as number) - v);
// Python: [(((i * 37) % 11) - 4) / 10 for i in range(200)]
const D200 = Array.from({ length: 200 }, (_, i) => (((i * 37) % 11) - 4) / 10);
// Python: [(((i * 7) % 9) - 3) / 5 for i in range(60)]
const D60 = Array.from({ length: 60 }, (_, i) => (((i * 7) % 9) - 3) / 5);
// Python: [(i + 1) * (-1 if i % 3 == 0 else 1) for i in range(50)]
const D50 = Array.from({ length: 50 }, (_, i) => (i + 1) * (i % 3 === 0 ? -1 : 1));

test("Student's t two-sided tail matches scipy: 2 * scipy.stats.t.sf(|t|, df)", () => {
  close(studentTTwoSided(2.5, 3), 0.08770664700806556, "t=2.5 df=3");
  close(studentTTwoSided(0.3, 10), 0.7703206075657986, "t=0.3 df=10");
  close(studentTTwoSided(10, 200), 2.3774831444207646e-19, "t=10 df=200");
  close(studentTTwoSided(1.96, 10000), 0.05002352023183303, "t=1.96 df=10000");
  close(studentTTwoSided(50, 2), 0.00039976015988808057, "t=50 df=2");
  close(studentTTwoSided(0, 5), 1, "t=0 df=5");
});

test("normal, chi-square and binomial tails match scipy (norm.sf, chi2.sf(x, 1), binom.cdf(k, n, 0.5))", () => {
  close(normalUpperTail(0), 0.5, "norm.sf(0)");
  close(normalUpperTail(1), 0.15865525393145707, "norm.sf(1)");
  close(normalUpperTail(1.96), 0.024997895148220435, "norm.sf(1.96)");
  close(normalUpperTail(5), 2.866515718791933e-7, "norm.sf(5)");
  close(normalUpperTail(10), 7.61985302416047e-24, "norm.sf(10)");
  close(normalUpperTail(-1), 0.8413447460685429, "norm.sf(-1)");
  close(chiSquareUpperTail(0.5, 1), 0.47950012218695337, "chi2.sf(0.5, 1)");
  close(chiSquareUpperTail(3.84, 1), 0.05004352124870519, "chi2.sf(3.84, 1)");
  close(chiSquareUpperTail(30, 1), 4.3204630578274955e-8, "chi2.sf(30, 1)");
  close(binomialCdf(2, 10, 0.5), 0.0546875, "binom.cdf(2, 10, 0.5)");
  close(binomialCdf(0, 7, 0.5), 0.0078125, "binom.cdf(0, 7, 0.5)");
  close(binomialCdf(30, 100, 0.5), 3.925069822796835e-5, "binom.cdf(30, 100, 0.5)");
});

test("the paired t-test matches scipy.stats.ttest_rel / ttest_1samp", () => {
  const small = pairedTTest(diff(a, b)); // ttest_rel(b, a)
  close(small.statistic, 2.0493901531919194, "t");
  close(small.p_value, 0.07960201245519759, "p");
  assert.equal(small.df, 7);
  const two = pairedTTest([3, 1]); // ttest_rel([3, 1], [0, 0])
  close(two.statistic, 2, "t, n=2");
  close(two.p_value, 0.2951672353008665, "p, n=2");
  const many = pairedTTest(D200); // ttest_1samp(D200, 0)
  close(many.statistic, 4.320831114239858, "t, n=200");
  close(many.p_value, 2.4531067065231772e-5, "p, n=200");
});

test("t-test edge cases: all zero is no evidence, n = 1 is undefined, a constant shift is certain", () => {
  // scipy: nan, nan for [0, 0, 0]; testtune documents t = 0, p = 1.
  assert.deepEqual(pairedTTest([0, 0, 0]), { statistic: 0, df: 2, p_value: 1 });
  // scipy: nan, nan for one difference.
  assert.deepEqual(pairedTTest([0.5]), { statistic: null, df: 0, p_value: null });
  // scipy: inf, 0.0; infinity is not JSON, so the statistic is null.
  assert.deepEqual(pairedTTest([0.5, 0.5, 0.5]), { statistic: null, df: 2, p_value: 0 });
  // Float noise in equal pass-rate differences (0.6 - 0.4 vs 0.4 - 0.2) is still a constant shift.
  assert.equal(pairedTTest([0.6 - 0.4, 0.4 - 0.2, 1 - 0.8]).p_value, 0);
});

test("Wilcoxon exact matches scipy.stats.wilcoxon(d, method='exact')", () => {
  const ten = wilcoxonSignedRank([1.5, -0.3, 2.2, 0.7, -1.1, 3.4, 0.9, 1.8, -0.2, 2.6]);
  assert.equal(ten.method, "exact");
  assert.equal(ten.statistic, 8);
  close(ten.p_value, 0.048828125, "p, n=10");
  const fifty = wilcoxonSignedRank(D50);
  assert.equal(fifty.method, "exact");
  assert.equal(fifty.statistic, 425);
  close(fifty.p_value, 0.03996834652842374, "p, n=50");
  const one = wilcoxonSignedRank([0.5]); // scipy: statistic 0.0, p 1.0
  assert.deepEqual([one.statistic, one.p_value, one.n], [0, 1, 1]);
});

test("Wilcoxon with ties and zeros matches scipy.stats.wilcoxon(d, zero_method='wilcox', correction=True, method='asymptotic')", () => {
  // Python: numpy.round([b_i - a_i], 12): float noise would otherwise break the ties 0.2 / 0.2000...07.
  const small = wilcoxonSignedRank(diff(a, b));
  assert.equal(small.method, "normal");
  assert.equal(small.n, 6, "the two zero differences are dropped");
  assert.equal(small.statistic, 2.5);
  close(small.p_value, 0.10475748984973063, "p, ties and zeros");
  close(-Math.abs(small.z ?? 0), -1.6222142113076254, "z");
  const sixty = wilcoxonSignedRank(D60);
  assert.equal(sixty.statistic, 406.5);
  close(sixty.p_value, 0.006005055206836008, "p, n=60");
  close(-Math.abs(sixty.z ?? 0), -2.747505225014439, "z, n=60");
  const many = wilcoxonSignedRank(D200);
  assert.equal(many.statistic, 5356);
  close(many.p_value, 4.20317938972671e-5, "p, n=200");
  close(-Math.abs(many.z ?? 0), -4.09601762832979, "z, n=200");
  assert.ok((many.z ?? 0) > 0, "z is signed: positive when the second side is ahead");
});

test("Wilcoxon with every difference zero is no evidence (scipy: statistic 0, p 1 or nan)", () => {
  assert.deepEqual(wilcoxonSignedRank([0, 0, 0]), { statistic: 0, n: 0, method: "exact", z: null, p_value: 1 });
});

test("McNemar matches statsmodels mcnemar([[10, b], [c, 10]], exact=b+c<=25, correction=True)", () => {
  const cases: [number, number, "exact" | "chi2", number, number][] = [
    [3, 9, "exact", 3, 0.14599609375],
    [0, 5, "exact", 0, 0.0625],
    [0, 1, "exact", 0, 1],
    [20, 35, "chi2", 3.5636363636363635, 0.059058229090536506],
    [12, 12, "exact", 12, 1],
    [13, 12, "exact", 12, 1],
    [14, 12, "chi2", 0.038461538461538464, 0.8445192674729399],
    [1, 30, "chi2", 25.29032258064516, 4.931769268078334e-7],
  ];
  for (const [bo, mo, method, statistic, p] of cases) {
    const r = mcnemarCounts(bo, mo);
    assert.equal(r.method, method, `b=${bo} c=${mo}`);
    close(r.statistic, statistic, `statistic b=${bo} c=${mo}`);
    close(r.p_value, p, `p b=${bo} c=${mo}`);
  }
  assert.deepEqual(mcnemarCounts(0, 0), { statistic: 0, baseline_only: 0, model_only: 0, method: "exact", p_value: 1 });
});

test("McNemar counts discordant tasks from pass/fail lists, in task order", () => {
  const r = mcnemar([true, true, false, false, true], [true, false, true, true, false]);
  assert.deepEqual([r.baseline_only, r.model_only], [2, 2]);
  assert.throws(() => mcnemar([true], [true, false]), /same tasks/);
});

test("Holm matches statsmodels multipletests(p, method='holm')[1], and leaves null p-values out", () => {
  const expect = (got: (number | null)[], want: number[]): void => want.forEach((w, i) => close(got[i] ?? null, w, `holm[${i}]`));
  expect(holmAdjust([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02]);
  expect(holmAdjust([0.5, 0.6, 0.02]), [1, 1, 0.06]);
  expect(holmAdjust([0.2]), [0.2]);
  const withNull = holmAdjust([0.01, null, 0.04]);
  assert.equal(withNull[1], null);
  expect([withNull[0] ?? null, withNull[2] ?? null], [0.02, 0.04]);
  assert.deepEqual(holmAdjust([]), []);
});

test("the special functions refuse arguments outside their domain", () => {
  assert.throws(() => studentTTwoSided(1, 0), /df > 0/);
  assert.equal(studentTTwoSided(Infinity, 3), 0);
});
