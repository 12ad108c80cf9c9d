/**
 * Deterministic splits and subsets from a hash of (seed, task id): a task's split never
 * depends on which other tasks are in the file, so adding data does not reshuffle old tasks.
 */
import { createHash } from "node:crypto";
import type { Task } from "./schema.js";

/** A number in [0, 1) from the seed and the task id (the first 48 bits of a sha256). */
export function hashFraction(seed: number, id: string): number {
  const digest = createHash("sha256").update(`${seed}:${id}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** Tasks without a split get eval when their hash fraction is below evalFraction, else train. */
export function assignSplits(tasks: Task[], seed: number, evalFraction: number): Task[] {
  return tasks.map((task) => (task.split !== undefined ? task : { ...task, split: hashFraction(seed, `split:${task.id}`) < evalFraction ? "eval" : "train" }));
}

/** The tasks in a seeded order that does not depend on the input order (for --limit subsets). */
export function seededOrder(tasks: Task[], seed: number): Task[] {
  return tasks
    .map((task) => ({ task, key: hashFraction(seed, `order:${task.id}`) }))
    .sort((a, b) => a.key - b.key || (a.task.id < b.task.id ? -1 : 1))
    .map((entry) => entry.task);
}
