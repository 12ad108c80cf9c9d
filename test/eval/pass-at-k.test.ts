import assert from "node:assert/strict";
import { test } from "node:test";
import { meanPassAtK, passAtK } from "../../src/eval/pass-at-k.js";
import { TesttuneError } from "../../src/errors.js";

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test("pass@1 is the fraction of correct samples", () => {
  close(passAtK(10, 3, 1), 0.3);
  close(passAtK(5, 1, 1), 0.2);
});

test("pass@k matches hand-computed 1 - C(n-c,k)/C(n,k)", () => {
  // n=5, c=2, k=2: 1 - C(3,2)/C(5,2) = 1 - 3/10
  close(passAtK(5, 2, 2), 0.7);
  // n=10, c=3, k=5: 1 - C(7,5)/C(10,5) = 1 - 21/252
  close(passAtK(10, 3, 5), 1 - 21 / 252);
  // n=4, c=1, k=3: 1 - C(3,3)/C(4,3) = 1 - 1/4
  close(passAtK(4, 1, 3), 0.75);
});

test("c = 0 gives 0 and c = n gives 1 for every k", () => {
  for (const k of [1, 2, 5]) {
    assert.equal(passAtK(5, 0, k), 0);
    assert.equal(passAtK(5, 5, k), 1);
  }
});

test("k = n is 1 as soon as one sample is correct", () => {
  assert.equal(passAtK(4, 1, 4), 1);
  assert.equal(passAtK(4, 0, 4), 0);
});

test("k > n is a clear error, not a number", () => {
  assert.throws(() => passAtK(3, 1, 5), (e: unknown) => e instanceof TesttuneError && /at least 5 samples/.test(e.message));
});

test("bad counts are errors", () => {
  assert.throws(() => passAtK(3, 4, 1), /cannot exceed/);
  assert.throws(() => passAtK(3, 1, 0), /k >= 1/);
  assert.throws(() => passAtK(2.5, 1, 1), /integers/);
});

test("the mean over tasks averages per-task estimates", () => {
  close(meanPassAtK([{ n: 5, c: 2 }, { n: 5, c: 0 }], 2), 0.35);
  assert.throws(() => meanPassAtK([], 1), /zero tasks/);
});

test("the stable product agrees with exact binomials on a large n", () => {
  const binom = (n: number, k: number): number => {
    let r = 1;
    for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
    return r;
  };
  const n = 60, c = 7, k = 10;
  assert.ok(Math.abs(passAtK(n, c, k) - (1 - binom(n - c, k) / binom(n, k))) < 1e-9);
});
