/**
 * Synthetic repair traces: a task's reference test file broken in one place by a wrong expected
 * value (src/train/expected-edits.ts) is the failing file, pytest's log of it the failure log,
 * and the reference file the fix. Execution does the checking: a trace is kept only when the
 * reference passes on the task's code and the broken file fails there, with the edited
 * assertion's test among the failures. What stage C learns from them is reading `assert 6 == 7`
 * in the log and fixing the check; it is the only repair they teach.
 */
import type { ExecResult } from "../sandbox/types.js";
import { failureLog } from "../quality/failure-log.js";
import { execWithRetry, type Executor } from "../quality/score.js";
import { SandboxError } from "../errors.js";
import { kindName } from "../kinds/index.js";
import type { Task } from "../tasks/schema.js";
import { requestFor } from "../tasks/verify.js";
import { Rng } from "../util/rng.js";
import { expectedValueEdits, type ExpectedEdit } from "./expected-edits.js";
import type { Trace } from "./traces.js";

/** Marks a trace made from a reference file (the `source` field; refine's traces have none). */
export const SYNTHETIC_SOURCE = "reference-edit";

export type SyntheticTrace = Trace & { source: typeof SYNTHETIC_SOURCE; edit: Pick<ExpectedEdit, "line" | "test" | "before" | "after"> };

/** Why a task gave no trace, or why one edit was not kept. */
export const SKIP = {
  kind: "not a unit_test task",
  noTests: "no reference tests",
  noEdit: "no editable assertion (== a literal, is True/False, or a parametrized expected value, in a test function)",
  reference: "reference tests do not pass on the code",
  notFailed: "broken file did not fail",
  otherFailure: "broken file failed elsewhere than the edited assertion",
} as const;

export interface SyntheticTraceOptions {
  /** Edits per task, each in a different assertion. */
  perTask: number;
  seed: number;
  timeoutS?: number;
  /** Tasks run at once (the pool queues their files). */
  batch?: number;
  onTasks?: (done: number, traces: number) => void;
}

export interface SyntheticTraceCounts {
  tasks: number;
  tasks_with_traces: number;
  traces: number;
  /** Tasks that gave no edit to try, by reason. */
  tasks_skipped: Record<string, number>;
  /** Edits tried and not kept, by reason. */
  edits_dropped: Record<string, number>;
  isolation: ExecResult["isolation"] | null;
}

function count(into: Record<string, number>, reason: string): void {
  into[reason] = (into[reason] ?? 0) + 1;
}

/** The edited assertion failed: a failing test is its test (any parameters) failing an assertion (`assert ...`, or `AssertionError: <its message>`). */
function failedAtEdit(result: ExecResult, edit: ExpectedEdit): boolean {
  return result.tests.some((t) => {
    const name = (t.nodeid.split("::").slice(1).join("::") || t.nodeid).replace(/\[.*\]$/, "");
    return t.outcome === "failed" && name === edit.test && /^(assert |AssertionError\b)/.test(t.message);
  });
}

/** One task's traces, and why the rest were not made. */
async function tracesOfTask(task: Task, executor: Executor, options: SyntheticTraceOptions): Promise<{ traces: SyntheticTrace[]; skipped?: string; dropped: string[]; isolation?: ExecResult["isolation"] }> {
  if (kindName(task) !== "unit_test") return { traces: [], skipped: SKIP.kind, dropped: [] };
  if (task.tests === undefined || task.tests.trim() === "") return { traces: [], skipped: SKIP.noTests, dropped: [] };
  const reference = task.tests;
  // one generator per task: a task's traces do not depend on which other tasks are in the file
  const edits = await expectedValueEdits(reference, options.perTask, new Rng(`${options.seed}:${task.id}`));
  if (edits.length === 0) return { traces: [], skipped: SKIP.noEdit, dropped: [] };
  const run = (tests: string): Promise<ExecResult> => execWithRetry(executor, { ...requestFor(task, options.timeoutS), tests });
  const [original, ...broken] = await Promise.all([run(reference), ...edits.map((e) => run(e.tests))]);
  // a sandbox_error is ours, twice: it says nothing about the reference or the edit
  const lost = [original, ...broken].find((r) => r?.status === "sandbox_error");
  if (lost !== undefined) throw new SandboxError(`data traces: the sandbox failed twice on a file of task '${task.id}': ${lost.detail}`, { hint: "run the same command again; 'testtune doctor' checks the sandbox" });
  if (original?.status !== "passed") return { traces: [], skipped: SKIP.reference, dropped: [], isolation: original?.isolation };
  const traces: SyntheticTrace[] = [];
  const dropped: string[] = [];
  edits.forEach((edit, i) => {
    const result = broken[i] as ExecResult;
    if (result.status !== "failed") dropped.push(SKIP.notFailed);
    else if (!failedAtEdit(result, edit)) dropped.push(SKIP.otherFailure);
    else {
      traces.push({
        task_id: task.id,
        code: task.code,
        module: task.module,
        failed_test: edit.tests,
        failure_log: failureLog(result),
        fixed_test: reference,
        round: 1,
        reward: null,
        source: SYNTHETIC_SOURCE,
        edit: { line: edit.line, test: edit.test, before: edit.before, after: edit.after },
      });
    }
  });
  return { traces, dropped, isolation: original.isolation };
}

/** Traces of every task (in the tasks' order, the same for the same seed) and the counts. */
export async function syntheticTraces(tasks: readonly Task[], executor: Executor, options: SyntheticTraceOptions): Promise<{ traces: SyntheticTrace[]; counts: SyntheticTraceCounts }> {
  const counts: SyntheticTraceCounts = { tasks: tasks.length, tasks_with_traces: 0, traces: 0, tasks_skipped: {}, edits_dropped: {}, isolation: null };
  const traces: SyntheticTrace[] = [];
  const batch = options.batch ?? 32;
  for (let start = 0; start < tasks.length; start += batch) {
    const results = await Promise.all(tasks.slice(start, start + batch).map((task) => tracesOfTask(task, executor, options)));
    for (const result of results) {
      if (result.skipped !== undefined) count(counts.tasks_skipped, result.skipped);
      for (const reason of result.dropped) count(counts.edits_dropped, reason);
      if (result.traces.length > 0) counts.tasks_with_traces += 1;
      if (result.isolation !== undefined) counts.isolation = result.isolation;
      traces.push(...result.traces);
    }
    counts.traces = traces.length;
    options.onTasks?.(Math.min(start + batch, tasks.length), traces.length);
  }
  return { traces, counts };
}
