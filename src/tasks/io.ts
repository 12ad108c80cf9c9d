/** Tasks files: JSONL, one Task per line, validated with errors naming the file, line and field. */
import { fieldPath } from "../config/load.js";
import { DataError } from "../errors.js";
import { readJsonl, writeJsonl } from "../util/jsonl.js";
import { taskSchema, type Task } from "./schema.js";

export function parseTask(value: unknown, file: string, location: string): Task {
  const result = taskSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue === undefined ? "" : fieldPath(issue.path);
  throw new DataError(file, location, `field '${field || "<root>"}': ${issue?.message ?? "invalid"}`, {
    hint: "a tasks file holds one Task per line (see docs/data.md); 'testtune data prepare' writes them",
  });
}

export async function readTasks(file: string): Promise<Task[]> {
  const tasks: Task[] = [];
  const ids = new Set<string>();
  for await (const { line, value } of readJsonl(file)) {
    const task = parseTask(value, file, `line ${line}`);
    if (ids.has(task.id)) throw new DataError(file, `line ${line}`, `field 'id': duplicate task id ${task.id}`);
    ids.add(task.id);
    tasks.push(task);
  }
  return tasks;
}

export function writeTasks(file: string, tasks: Task[]): void {
  writeJsonl(file, tasks);
}
