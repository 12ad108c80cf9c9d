import assert from "node:assert/strict";
import { test } from "node:test";
import { mean, meanOrNull } from "../../src/util/stats.js";

test("mean is 0 and meanOrNull is null when nothing was measured", () => {
  assert.equal(mean([1, 2, 6]), 3);
  assert.equal(mean([]), 0);
  assert.equal(meanOrNull([0.5]), 0.5);
  assert.equal(meanOrNull([]), null);
});
