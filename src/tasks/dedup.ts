/**
 * Dedup by a hash of the normalised code: line endings unified, trailing spaces, blank lines
 * and whole-line comments removed. The first task with a given code is kept.
 */
import { sha256 } from "../util/hash.js";
import type { Task } from "./schema.js";
import type { Drop } from "./sources/types.js";

export function normalizedCode(code: string): string {
  return code
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"))
    .join("\n");
}

export function codeHash(code: string): string {
  return sha256(normalizedCode(code));
}

export function dedupByCode(tasks: Task[]): { kept: Task[]; drops: Drop[] } {
  const firstByHash = new Map<string, string>();
  const kept: Task[] = [];
  const drops: Drop[] = [];
  for (const task of tasks) {
    const hash = codeHash(task.code);
    const first = firstByHash.get(hash);
    if (first === undefined) {
      firstByHash.set(hash, task.id);
      kept.push(task);
    } else drops.push({ id: task.id, reason: "duplicate code", detail: `same code as ${first}` });
  }
  return { kept, drops };
}
