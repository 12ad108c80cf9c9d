/**
 * `testtune data distill`: a teacher model answers tasks; only good answers are kept and become
 * SFT pairs. Every answer is recorded with why it was kept or not.
 *
 * unit_test (test files): kept when valid: they pass on the reference code in the sandbox and
 * at least one assertion ran. Other kinds (`--kinds`): the kind's answer is extracted, and kept
 * when it is not too long, has no placeholder (hallucination.ts), compiles (code kinds) and
 * passes its kind's check (the reference tests for code, the structure for docstrings and
 * explanations). Every kind: an answer whose hash of instruction and answer repeats an earlier
 * one is a duplicate.
 */
import { createHash } from "node:crypto";
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ChatTemplate } from "../prompts/chat-template.js";
import { extractTestFile } from "../prompts/extract.js";
import { TesttuneError } from "../errors.js";
import { findPlaceholders } from "../kinds/hallucination.js";
import { kindName, kindOf } from "../kinds/index.js";
import { answerTarget, kindPrompt } from "../kinds/prompt.js";
import { JsonlAppender, writeJson } from "../util/jsonl.js";
import type { Task } from "./schema.js";
import type { SftRow } from "./sft.js";
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
  /** unit_test: the sandbox outcome; other kinds: the kind's check outcome. */
  status: string | null;
  assertions: number | null;
  completion: string;
  /** The task's kind, when it is not unit_test. */
  kind?: string;
  /** The placeholders found, when that is why the answer was not kept. */
  hallucination?: string[];
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
  /** Answers received and kept, per task kind. */
  by_kind: Record<string, { answers: number; kept: number }>;
  seconds: number;
}

const DEFINES_TEST = /^[ \t]*(?:(?:async[ \t]+)?def[ \t]+test|class[ \t]+Test)/m;
const MAX_CONSECUTIVE_FAILURES = 5; // the teacher is down, not flaky: stop instead of failing every task
const MAX_ANSWER_CHARS = 8000; // several times the longest reference answer of any source: longer is a runaway generation
const DUPLICATE = "same instruction and answer as an earlier answer";

async function answersFor(task: Task, options: DistillOptions): Promise<string[]> {
  const answers: string[] = [];
  const instruction = kindOf(task).instruction(task);
  // Some servers ignore `n` and answer once: ask again for the rest, at most n calls.
  for (let calls = 0; answers.length < options.n && calls < options.n; calls++) answers.push(...(await askTeacher(options.teacher, instruction, options.n - answers.length)));
  return answers.slice(0, options.n);
}

/** The dedup key of an answer: a hash of the instruction it answers and the answer. */
function answerKey(task: Task, answer: string): string {
  return createHash("sha256").update(kindOf(task).instruction(task)).update("\0").update(answer).digest("hex");
}

/** A non-unit_test answer judged by its kind (see the module comment). */
async function judgeKind(task: Task, index: number, completion: string, options: DistillOptions, seen: Set<string>): Promise<SampleRecord> {
  const kind = kindOf(task);
  const record: SampleRecord = { task_id: task.id, sample_index: index, kept: false, reason: "", status: null, assertions: null, completion, kind: kind.name };
  const answer = kind.extract(completion, task);
  if (answer.trim() === "") record.reason = "no answer in the completion";
  else if (answer.length > MAX_ANSWER_CHARS) record.reason = `answer longer than ${MAX_ANSWER_CHARS} characters`;
  else if (seen.has(answerKey(task, answer))) record.reason = DUPLICATE;
  else {
    seen.add(answerKey(task, answer));
    const placeholders = await findPlaceholders(answer, (kind.answerFormat ?? "python") === "python" ? "code" : "text");
    if (placeholders.length > 0) {
      record.reason = "placeholder in the answer";
      record.hallucination = placeholders;
    } else {
      const check = await kind.check(task, answer, { executor: options.executor, ...(options.timeoutS === undefined ? {} : { timeoutS: options.timeoutS }) });
      record.status = check.outcome;
      if (check.compiled === false) record.reason = "does not compile";
      else if (!check.passed) record.reason = `fails the ${kind.name} check: ${check.outcome.replace(/_/g, " ")}`;
      else {
        record.kept = true;
        record.reason = "kept";
        record.completion = answer;
      }
    }
  }
  return record;
}

async function judge(task: Task, answers: string[], options: DistillOptions, seen: Set<string>): Promise<SampleRecord[]> {
  if (kindName(task) !== "unit_test") {
    const records: SampleRecord[] = [];
    for (const [index, completion] of answers.entries()) records.push(await judgeKind(task, index, completion, options, seen));
    return records;
  }
  const records: SampleRecord[] = [];
  for (const [index, completion] of answers.entries()) {
    const record: SampleRecord = { task_id: task.id, sample_index: index, kept: false, reason: "", status: null, assertions: null, completion };
    const extracted = extractTestFile(completion, task);
    if (extracted.method === "none" || !DEFINES_TEST.test(extracted.tests)) record.reason = "no test in the answer";
    else if (seen.has(answerKey(task, extracted.tests))) record.reason = DUPLICATE;
    else {
      seen.add(answerKey(task, extracted.tests));
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
  const stats: DistillStats = { teacher: options.teacher.url, model: options.teacher.model, tasks: options.tasks.length, answers_requested: options.tasks.length * options.n, answers_received: 0, kept: 0, tasks_with_a_kept_file: 0, by_reason: {}, by_kind: {}, seconds: 0 };
  const seen = new Set<string>();
  let next = 0;
  let done = 0;
  let consecutiveFailures = 0;
  let lastFailure: unknown;
  const worker = async (): Promise<void> => {
    while (next < options.tasks.length) {
      const task = options.tasks[next++] as Task;
      let records: SampleRecord[];
      try {
        records = await judge(task, await answersFor(task, options), options, seen);
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
        // the kept answer in place of the kind's target (for unit_test what sftRow makes of the task with these tests)
        if (record.kept) sft.write({ task_id: task.id, prompt: kindPrompt(task, { chat: options.chat }), completion: answerTarget(task, record.completion, { chat: options.chat }) } satisfies SftRow);
        if (record.reason !== "teacher request failed") {
          const perKind = (stats.by_kind[kindName(task)] ??= { answers: 0, kept: 0 });
          perKind.answers += 1;
          if (record.kept) perKind.kept += 1;
        }
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
