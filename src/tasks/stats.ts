/** Summary statistics of a set of tasks: counts by source, category and split, length percentiles. */
import type { Task } from "./schema.js";

export interface Distribution {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface GroupCounts {
  tasks: number;
  with_tests: number;
}

export interface TaskStats {
  tasks: number;
  with_tests: number;
  by_split: Record<string, number>;
  by_source: Record<string, GroupCounts>;
  by_category: Record<string, GroupCounts>;
  code_lines: Distribution;
  test_lines: Distribution;
  /** prompt + target tokens, when a tokenizer was given */
  tokens?: Distribution;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p% of values at or below it. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? 0 : Math.round((sum / sorted.length) * 10) / 10,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? 0 : (sorted[sorted.length - 1] as number),
  };
}

function lineCount(text: string): number {
  return text.replace(/\n+$/, "").split("\n").length;
}

function bump(groups: Record<string, GroupCounts>, key: string, hasTests: boolean): void {
  const group = (groups[key] ??= { tasks: 0, with_tests: 0 });
  group.tasks += 1;
  if (hasTests) group.with_tests += 1;
}

/** `tokens` (optional) gives each task's prompt + target length in tokens. */
export function computeStats(tasks: Task[], tokens?: (task: Task) => number): TaskStats {
  const stats: TaskStats = {
    tasks: tasks.length,
    with_tests: tasks.filter((t) => t.tests !== undefined).length,
    by_split: {},
    by_source: {},
    by_category: {},
    code_lines: distribution(tasks.map((t) => lineCount(t.code))),
    test_lines: distribution(tasks.flatMap((t) => (t.tests === undefined ? [] : [lineCount(t.tests)]))),
  };
  for (const task of tasks) {
    const split = task.split ?? "none";
    stats.by_split[split] = (stats.by_split[split] ?? 0) + 1;
    bump(stats.by_source, task.source, task.tests !== undefined);
    bump(stats.by_category, `${task.source}/${task.category ?? "-"}`, task.tests !== undefined);
  }
  if (tokens !== undefined) stats.tokens = distribution(tasks.map(tokens));
  return stats;
}

/** A plain-text rendering for the terminal. */
export function formatStats(stats: TaskStats): string {
  const lines = [`${stats.tasks} tasks, ${stats.with_tests} with reference tests`, `splits: ${Object.entries(stats.by_split).map(([k, v]) => `${k} ${v}`).join(", ")}`];
  const dist = (name: string, d: Distribution | undefined): void => {
    if (d !== undefined && d.count > 0) lines.push(`${name.padEnd(12)} mean ${d.mean}  p50 ${d.p50}  p90 ${d.p90}  p99 ${d.p99}  max ${d.max}`);
  };
  dist("code lines", stats.code_lines);
  dist("test lines", stats.test_lines);
  dist("tokens", stats.tokens);
  const table = (title: string, groups: Record<string, GroupCounts>): void => {
    const entries = Object.entries(groups).sort((a, b) => b[1].tasks - a[1].tasks);
    const width = Math.max(title.length, ...entries.map(([k]) => k.length));
    lines.push("", `${title.padEnd(width)}  tasks  with tests`);
    for (const [key, group] of entries.slice(0, 40)) lines.push(`${key.padEnd(width)}  ${String(group.tasks).padStart(5)}  ${String(group.with_tests).padStart(10)}`);
    if (entries.length > 40) lines.push(`... and ${entries.length - 40} more`);
  };
  table("source", stats.by_source);
  table("category", stats.by_category);
  return `${lines.join("\n")}\n`;
}
