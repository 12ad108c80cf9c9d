/**
 * `testtune data distill`: a teacher model writes test files for tasks; only valid ones are
 * kept — they pass on the reference code in the sandbox and at least one assertion ran — and
 * become SFT pairs. Every answer is recorded with why it was kept or not.
 */
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ChatTemplate } from "../prompts/chat-template.js";
import { extractTestFile } from "../prompts/extract.js";
import { buildInstruction } from "../prompts/template.js";
import { TesttuneError } from "../errors.js";
import { JsonlAppender, writeJson } from "../util/jsonl.js";
import type { Task } from "./schema.js";
import { sftRow } from "./sft.js";
import { askTeacher, type TeacherOptions } from "./teacher.js";
import { requestFor, type Executor } from "./verify.js";

export interface DistillOptions {
  teacher: TeacherOptions;
  tasks: Task[];
  out: string;
  /** Answers asked per task. */
  n: number;
  /** Tasks in flight at once. */
  concurrency: number;
  executor: Executor;
  chat?: ChatTemplate;
  timeoutS?: number;
  onTask?: (done: number, kept: number) => void;
}

export interface SampleRecord {
  task_id: string;
  sample_index: number;
  kept: boolean;
  reason: string;
  status: string | null;
  assertions: number | null;
  completion: string;
}

export interface DistillStats {
  teacher: string;
  model: string;
  tasks: number;
  answers_requested: number;
  answers_received: number;
  kept: number;
  tasks_with_a_kept_file: number;
  by_reason: Record<string, number>;
  seconds: number;
}

const DEFINES_TEST = /^[ \t]*(?:(?:async[ \t]+)?def[ \t]+test|class[ \t]+Test)/m;
const MAX_CONSECUTIVE_FAILURES = 5; // the teacher is down, not flaky: stop instead of failing every task

async function answersFor(task: Task, options: DistillOptions): Promise<string[]> {
  const answers: string[] = [];
  // Some servers ignore `n` and answer once: ask again for the rest, at most n calls.
  for (let calls = 0; answers.length < options.n && calls < options.n; calls++) answers.push(...(await askTeacher(options.teacher, buildInstruction(task), options.n - answers.length)));
  return answers.slice(0, options.n);
}

async function judge(task: Task, answers: string[], options: DistillOptions): Promise<SampleRecord[]> {
  const seen = new Set<string>();
  const records: SampleRecord[] = [];
  for (const [index, completion] of answers.entries()) {
    const record: SampleRecord = { task_id: task.id, sample_index: index, kept: false, reason: "", status: null, assertions: null, completion };
    const extracted = extractTestFile(completion, task);
    if (extracted.method === "none" || !DEFINES_TEST.test(extracted.tests)) record.reason = "no test in the answer";
    else if (seen.has(extracted.tests)) record.reason = "same test file as an earlier answer";
    else {
      seen.add(extracted.tests);
      const result = await options.executor.exec(requestFor({ ...task, tests: extracted.tests }, options.timeoutS));
      record.status = result.status;
      record.assertions = result.assertions;
      if (result.status !== "passed") record.reason = `${result.status.replace(/_/g, " ")} on the reference code`;
      else if (result.assertions < 1) record.reason = "no assertion ran";
      else {
        record.kept = true;
        record.reason = "kept";
        record.completion = extracted.tests;
      }
    }
    records.push(record);
  }
  return records;
}

export async function distill(options: DistillOptions): Promise<DistillStats> {
  const started = Date.now();
  for (const name of ["samples.jsonl.tmp", "sft.jsonl.tmp"]) rmSync(join(options.out, name), { force: true });
  const samples = new JsonlAppender(join(options.out, "samples.jsonl.tmp"));
  const sft = new JsonlAppender(join(options.out, "sft.jsonl.tmp"));
  const stats: DistillStats = { teacher: options.teacher.url, model: options.teacher.model, tasks: options.tasks.length, answers_requested: options.tasks.length * options.n, answers_received: 0, kept: 0, tasks_with_a_kept_file: 0, by_reason: {}, seconds: 0 };
  let next = 0;
  let done = 0;
  let consecutiveFailures = 0;
  let lastFailure: unknown;
  const worker = async (): Promise<void> => {
    while (next < options.tasks.length) {
      const task = options.tasks[next++] as Task;
      let records: SampleRecord[];
      try {
        records = await judge(task, await answersFor(task, options), options);
        consecutiveFailures = 0;
      } catch (error) {
        if (!(error instanceof TesttuneError) || error.code !== "E_NETWORK" || ++consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) throw error;
        lastFailure = error;
        records = [{ task_id: task.id, sample_index: 0, kept: false, reason: "teacher request failed", status: null, assertions: null, completion: error.message }];
      }
      stats.answers_received += records.filter((r) => r.reason !== "teacher request failed").length;
      for (const record of records) {
        samples.write(record);
        stats.by_reason[record.reason] = (stats.by_reason[record.reason] ?? 0) + 1;
        if (record.kept) sft.write(sftRow({ ...task, tests: record.completion }, options.chat));
      }
      const kept = records.filter((r) => r.kept).length;
      stats.kept += kept;
      if (kept > 0) stats.tasks_with_a_kept_file += 1;
      options.onTask?.(++done, stats.kept);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  } finally {
    await samples.close();
    await sft.close();
  }
  if (stats.answers_received === 0 && lastFailure !== undefined) throw lastFailure; // nothing came back at all
  renameSync(join(options.out, "samples.jsonl.tmp"), join(options.out, "samples.jsonl"));
  renameSync(join(options.out, "sft.jsonl.tmp"), join(options.out, "sft.jsonl"));
  stats.seconds = (Date.now() - started) / 1000;
  writeJson(join(options.out, "stats.json"), stats);
  return stats;
}
