/**
 * Reading what scoring needs from disk: tasks, samples, and the keys already in a scores
 * file (to resume). Every bad line is a DataError naming the file, the line and the field.
 */
import { appendFileSync, existsSync, readFileSync, truncateSync } from "node:fs";
import type { z } from "zod";
import { fieldPath } from "../config/load.js";
import { DataError } from "../errors.js";
import { sampleSchema, taskSchema, type Task } from "../tasks/schema.js";
import { readJsonl } from "../util/jsonl.js";
import type { RewardPreset } from "./rewards.js";
import { sampleKey, type NumberedSample } from "./score.js";

/** One JSONL row checked against its schema: a DataError naming the file, the line and the first wrong field. */
export function parseLine<S extends z.ZodType>(schema: S, value: unknown, file: string, line: number, what: string, hint = `each line must be one ${what} object (docs/data.md, "The Task", lists the fields)`): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue === undefined ? "" : fieldPath(issue.path);
  throw new DataError(file, `line ${line}`, `${field === "" ? "" : `field '${field}': `}${issue?.message ?? "invalid"}`, { hint });
}

/** Tasks by id; a duplicate id is an error naming both lines. */
export async function loadTaskMap(file: string): Promise<Map<string, Task>> {
  const tasks = new Map<string, Task>();
  const lines = new Map<string, number>();
  for await (const { line, value } of readJsonl(file)) {
    const task = parseLine(taskSchema, value, file, line, "task");
    const previous = lines.get(task.id);
    if (previous !== undefined) throw new DataError(file, `line ${line}`, `task id '${task.id}' already appears on line ${previous}`);
    tasks.set(task.id, task);
    lines.set(task.id, line);
  }
  if (tasks.size === 0) throw new DataError(file, "", "no tasks in the file");
  return tasks;
}

/** Samples with their line numbers; each must name a known task and have a unique key. */
export async function loadSamples(file: string, tasks: ReadonlyMap<string, unknown>, tasksFile: string): Promise<NumberedSample[]> {
  const out: NumberedSample[] = [];
  const keys = new Map<string, number>();
  for await (const { line, value } of readJsonl(file)) {
    const sample = parseLine(sampleSchema, value, file, line, "sample");
    if (!tasks.has(sample.task_id)) {
      throw new DataError(file, `line ${line}`, `field 'task_id': task '${sample.task_id}' is not in ${tasksFile}`, {
        hint: "score samples against the tasks file they were generated from",
      });
    }
    const key = sampleKey(sample.task_id, sample.sample_index, line);
    const previous = keys.get(key);
    if (previous !== undefined) {
      throw new DataError(file, `line ${line}`, `field 'sample_index': task '${sample.task_id}' sample ${String(sample.sample_index)} already appears on line ${previous}`);
    }
    keys.set(key, line);
    out.push({ line, sample });
  }
  return out;
}

interface ScoreLineKey {
  task_id?: unknown;
  sample_index?: unknown;
  sample_line?: unknown;
  reward_preset?: unknown;
}

/**
 * The sample keys already in a scores file. A last line cut short by an interruption is
 * removed (that sample is scored again); a broken line elsewhere, or lines scored with
 * another reward preset, are errors.
 */
export function loadDoneKeys(file: string, preset: RewardPreset): { keys: Set<string>; droppedPartialLine: boolean } {
  const keys = new Set<string>();
  if (!existsSync(file)) return { keys, droppedPartialLine: false };
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  let droppedPartialLine = false;
  let offset = 0;
  for (const [i, raw] of lines.entries()) {
    const isLast = i === lines.length - 1;
    if (raw.trim() !== "") {
      let value: ScoreLineKey;
      try {
        value = JSON.parse(raw) as ScoreLineKey;
      } catch {
        if (!isLast) throw new DataError(file, `line ${i + 1}`, "not valid JSON", { hint: "the scores file is damaged: remove the line or write to a new --out" });
        truncateSync(file, Buffer.byteLength(text.slice(0, offset)));
        droppedPartialLine = true;
        break;
      }
      if (typeof value.task_id !== "string" || typeof value.sample_line !== "number") {
        throw new DataError(file, `line ${i + 1}`, "not a score line (needs task_id and sample_line)", { hint: "--out must be a scores file written by 'testtune score'" });
      }
      if (value.reward_preset !== preset) {
        throw new DataError(file, `line ${i + 1}`, `field 'reward_preset': scored with '${String(value.reward_preset)}', not '${preset}'`, {
          hint: `resume with --reward ${String(value.reward_preset)}, or write to a new --out`,
        });
      }
      keys.add(sampleKey(value.task_id, typeof value.sample_index === "number" ? value.sample_index : null, value.sample_line));
    }
    offset += raw.length + 1;
  }
  // a complete last line that lost only its newline: end it, so the next append starts a line
  if (!droppedPartialLine && text !== "" && !text.endsWith("\n")) appendFileSync(file, "\n");
  return { keys, droppedPartialLine };
}
