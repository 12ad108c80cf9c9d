/**
 * Results split by what tasks carry: per category (Task.category: TinyTests tier, KodCode
 * subset, TestGenEval repository, corpus package) and per difficulty (metadata.difficulty, else
 * TinyTests' metadata.tier, else KodCode's metadata.gpt_difficulty). A task kind (issue "Task
 * kinds") would be one more grouping here. Also the compile rate: samples whose test file is
 * valid Python (every outcome but syntax_error).
 */
import type { Task } from "../tasks/schema.js";
import { mean } from "../util/stats.js";
import type { ScoredSample, TaskResult } from "./results.js";

export interface GroupRow {
  tasks: number;
  /** Mean over the group's tasks of c/n (the unbiased pass@1 of each task). */
  "pass@1": number;
  /** Valid samples / samples. */
  valid_rate: number;
  /** Mean of the tasks' mutation scores (invalid samples count 0). */
  mean_mutation_score: number;
}

export type GroupTable = Record<string, GroupRow>;

/** The groupings results are split by, each from a task to its group (undefined: not in any). */
export const GROUPINGS = {
  category: (task: Task): string | undefined => task.category,
  difficulty: (task: Task): string | undefined => {
    const value = task.metadata.difficulty ?? task.metadata.tier ?? task.metadata.gpt_difficulty;
    return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
  },
} as const;

/** The table of one grouping, or null when no task has a group. Groups in order of first appearance. */
export function groupTable(tasks: readonly Task[], perTask: readonly TaskResult[], groupOf: (task: Task) => string | undefined): GroupTable | null {
  const byId = new Map(perTask.map((t) => [t.task_id, t]));
  const groups = new Map<string, TaskResult[]>();
  for (const task of tasks) {
    const group = groupOf(task);
    const result = byId.get(task.id);
    if (group === undefined || result === undefined) continue;
    groups.set(group, [...(groups.get(group) ?? []), result]);
  }
  if (groups.size === 0) return null;
  const table: GroupTable = {};
  for (const [group, results] of groups) {
    const samples = results.reduce((sum, t) => sum + t.n, 0);
    table[group] = {
      tasks: results.length,
      "pass@1": mean(results.map((t) => t.c / t.n)),
      valid_rate: results.reduce((sum, t) => sum + t.c, 0) / samples,
      mean_mutation_score: mean(results.map((t) => t.mutation)),
    };
  }
  return table;
}

/** Fraction of samples whose test file parses (all outcomes but syntax_error). */
export function compileRate(scores: readonly ScoredSample[]): number {
  return mean(scores.map((s) => (s.status === "syntax_error" ? 0 : 1)));
}
