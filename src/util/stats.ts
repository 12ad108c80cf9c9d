/** The arithmetic means the reports and summaries share. */

/** The mean of the values; 0 when there are none. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** The mean of the values; null when there are none (nothing was measured). */
export function meanOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : mean(values);
}
