/**
 * Verification: a task's reference tests must pass on its reference code in the sandbox.
 * Tasks without reference tests are not run (and say so in the counts).
 */
import type { ExecRequest, ExecResult } from "../sandbox/types.js";
import type { Task } from "./schema.js";
import type { Drop } from "./sources/types.js";

/** What verification needs from the sandbox: SandboxPool provides it. */
export interface Executor {
  exec(request: ExecRequest): Promise<ExecResult>;
}

export interface VerifyOptions {
  timeoutS?: number;
  /** Jobs handed to the executor at once (the pool queues them). */
  batch?: number;
  onResult?: (task: Task, result: ExecResult) => void;
}

export interface VerifyOutcome {
  passed: Task[];
  drops: Drop[];
  isolation: ExecResult["isolation"] | undefined;
}

/** Why a failed run was dropped, in a few words. */
function reason(result: ExecResult): string {
  return `reference tests ${result.status.replace(/_/g, " ")} on the reference code`;
}

/** The sandbox's own explanation, else the first failing test's message. */
function detail(result: ExecResult): string {
  const failing = result.tests.find((t) => t.outcome === "failed" || t.outcome === "error");
  const text = result.detail !== "" ? result.detail : failing === undefined ? "" : `${failing.nodeid}: ${failing.message.split("\n")[0] ?? ""}`;
  return text.slice(0, 400);
}

export function requestFor(task: Task, timeoutS: number | undefined): ExecRequest {
  return { code: task.code, tests: task.tests ?? "", module: task.module, ...(timeoutS === undefined ? {} : { timeout_s: timeoutS }) };
}

/** Runs the reference tests of `tasks` (all of which have tests); keeps those that pass. */
export async function verifyTasks(tasks: Task[], executor: Executor, options: VerifyOptions = {}): Promise<VerifyOutcome> {
  const passed: Task[] = [];
  const drops: Drop[] = [];
  let isolation: ExecResult["isolation"] | undefined;
  const batch = options.batch ?? 64;
  for (let start = 0; start < tasks.length; start += batch) {
    const chunk = tasks.slice(start, start + batch);
    const results = await Promise.all(chunk.map((task) => executor.exec(requestFor(task, options.timeoutS))));
    chunk.forEach((task, i) => {
      const result = results[i] as ExecResult;
      isolation = result.isolation;
      options.onResult?.(task, result);
      if (result.status === "passed") passed.push(task);
      else drops.push({ id: task.id, reason: reason(result), detail: detail(result) });
    });
  }
  return { passed, drops, isolation };
}
