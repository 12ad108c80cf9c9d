/**
 * pass@k, the unbiased estimator of Chen et al. 2021 ("Evaluating Large Language Models
 * Trained on Code", eq. 1): with n samples of which c are correct,
 *
 *     pass@k = 1 - C(n - c, k) / C(n, k)
 *
 * computed as the numerically stable product 1 - prod_{i = n-c+1}^{n} (1 - k / i), which never
 * forms the huge binomials. Here "correct" means the generated test file is valid: it ran at
 * least one test and every test passed on the reference code.
 */
import { UsageError } from "../errors.js";

export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || n < 0 || c < 0 || k < 1) {
    throw new UsageError(`pass@k needs integers n >= 0, c >= 0, k >= 1 (got n=${n}, c=${c}, k=${k})`);
  }
  if (c > n) throw new UsageError(`pass@k: c=${c} correct samples cannot exceed n=${n} samples`);
  if (k > n) {
    throw new UsageError(`pass@${k} needs at least ${k} samples per task, but a task has n=${n}`, `sample n >= ${k} per task, or ask for a smaller k`);
  }
  if (n - c < k) return 1;
  let miss = 1;
  for (let i = n - c + 1; i <= n; i++) miss *= 1 - k / i;
  return 1 - miss;
}

/** Mean pass@k over tasks, each given as its (n, c). */
export function meanPassAtK(perTask: readonly { n: number; c: number }[], k: number): number {
  if (perTask.length === 0) throw new UsageError("pass@k over zero tasks is undefined");
  return perTask.reduce((sum, t) => sum + passAtK(t.n, t.c, k), 0) / perTask.length;
}
