import assert from "node:assert/strict";
import { test } from "node:test";
import { pairedDifference } from "../../src/eval/paired.js";

test("identical models differ by zero with an interval at zero and p = 1", () => {
  const a = [0, 0.5, 1, 0.2];
  const r = pairedDifference(a, a, { seed: 1 });
  assert.equal(r.mean_diff, 0);
  assert.equal(r.ci_low, 0);
  assert.equal(r.ci_high, 0);
  assert.equal(r.p_value, 1);
  assert.equal(r.ties, 4);
});

test("a uniform improvement has the mean difference and a tight interval above zero", () => {
  const a = Array.from({ length: 50 }, (_, i) => (i % 5) / 10);
  const b = a.map((x) => x + 0.2);
  const r = pairedDifference(a, b, { seed: 3 });
  assert.ok(Math.abs(r.mean_diff - 0.2) < 1e-12);
  assert.ok(Math.abs(r.ci_low - 0.2) < 1e-9 && Math.abs(r.ci_high - 0.2) < 1e-9);
  assert.ok(r.p_value < 0.01);
  assert.equal(r.wins, 50);
});

test("the interval contains the observed mean and is reproducible for a seed", () => {
  const a = [0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0];
  const b = [1, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0];
  const r1 = pairedDifference(a, b, { seed: 7 });
  const r2 = pairedDifference(a, b, { seed: 7 });
  assert.deepEqual(r1, r2);
  assert.ok(r1.ci_low <= r1.mean_diff && r1.mean_diff <= r1.ci_high);
  assert.ok(r1.p_value > 0.05, "3 wins vs 1 loss out of 12 is not significant");
});

test("mismatched or empty inputs are errors", () => {
  assert.throws(() => pairedDifference([1], [1, 2]), /same tasks/);
  assert.throws(() => pairedDifference([], []), /zero tasks/);
});
