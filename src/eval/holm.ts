/**
 * Holm's step-down correction (Holm 1979, "A simple sequentially rejective multiple test
 * procedure") for m p-values tested together, e.g. several models against one baseline:
 * with p_(1) <= ... <= p_(m) sorted,
 *
 *     adjusted p_(i) = max over j <= i of min(1, (m - j + 1) p_(j))
 *
 * which controls the family-wise error rate without Bonferroni's loss of power. The same as
 * statsmodels' multipletests(p, method='holm')[1]. Null p-values (a test that is undefined
 * for its data) are left out of the family and stay null.
 */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const present = pValues.map((p, i) => [p, i] as const).filter((e): e is readonly [number, number] => e[0] !== null);
  const m = present.length;
  const sorted = [...present].sort((x, y) => x[0] - y[0]);
  const adjusted: (number | null)[] = pValues.map(() => null);
  let running = 0;
  sorted.forEach(([p, index], j) => {
    running = Math.max(running, Math.min(1, (m - j) * p));
    adjusted[index] = running;
  });
  return adjusted;
}
