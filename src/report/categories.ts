/** Per-category results: each model's pass@1 and mean mutation score over the tasks of one category. */
import type { EvalSummary } from "../eval/summary.js";
import { meanPassAtK } from "../eval/pass-at-k.js";
import { mean } from "../util/stats.js";
import type { Table } from "./tables.js";

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** null when no task carries a category (the table would have one row, the whole eval). */
export function categoryTable(summary: EvalSummary, categories: ReadonlyMap<string, string | undefined>): Table | null {
  const names = [...new Set([...categories.values()].filter((c): c is string => c !== undefined))].sort();
  if (names.length === 0) return null;
  const models = summary.models.map((m) => m.model);
  const rows = [...names, undefined].flatMap((category) => {
    const inCategory = (taskId: string): boolean => categories.get(taskId) === category;
    const perModel = models.map((m) => (summary.per_task[m] ?? []).filter((t) => inCategory(t.task_id)));
    const tasks = perModel[0]?.length ?? 0;
    if (tasks === 0) return [];
    return [[category ?? "(none)", String(tasks), ...perModel.flatMap((ts) => (ts.length === 0 ? ["n/a", "n/a"] : [pct(meanPassAtK(ts, 1)), pct(mean(ts.map((t) => t.mutation)))]))]];
  });
  return { header: ["category", "tasks", ...models.flatMap((m) => [`${m} pass@1`, `${m} mutation score`])], rows };
}

export const CATEGORY_NOTE = "pass@1 and the mean mutation score (an invalid sample counts 0) over each category's tasks, from the per-task results.";
