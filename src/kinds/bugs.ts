/**
 * bugfix tasks: one injected bug per task, made by testtune's own mutation operators (the bug
 * families of python/testtune_executor/kinds_prep.py) and kept only when the task's reference
 * tests kill it, so that the buggy code fails the check and an echo of it is never an answer.
 *
 * The bug is chosen with a seed per task: the candidates are shuffled (Rng of seed and task
 * id), the first CANDIDATES of them run against the reference tests in one sandbox job, and
 * the first one in shuffled order that the tests kill is the task's bug. The same seed and
 * tasks give the same bugs.
 */
import type { Executor } from "../quality/score.js";
import { execWithRetry } from "../quality/score.js";
import type { ExecRequest, MutantSource } from "../sandbox/types.js";
import type { Task } from "../tasks/schema.js";
import { Rng } from "../util/rng.js";
import { kindTaskId } from "./index.js";
import { prepareFunctions } from "./functions.js";

/** Bugs tried per task (one sandbox job runs them all). */
export const CANDIDATES = 6;

export interface BugfixOptions {
  seed: number;
  executor: Executor;
  timeoutS?: number;
}

export interface BugfixResult {
  tasks: Task[];
  /** [task id, reason] of every task that yields no bugfix task. */
  dropped: [string, string][];
}

/** The seeded candidates of one task, in the order they are tried. */
export function bugCandidates(task: Pick<Task, "id">, bugs: MutantSource[], seed: number): MutantSource[] {
  return new Rng(`${seed}:bugfix:${task.id}`).shuffle(bugs).slice(0, CANDIDATES);
}

async function injectOne(task: Task, bugs: MutantSource[] | null, options: BugfixOptions): Promise<Task | string> {
  if (bugs === null) return "the code does not parse";
  if (bugs.length === 0) return "no place for a bug";
  const candidates = bugCandidates(task, bugs, options.seed);
  const request: ExecRequest = { code: task.code, tests: task.tests as string, module: task.module, mutants: true, mutant_list: candidates };
  if (options.timeoutS !== undefined) request.timeout_s = options.timeoutS;
  const result = await execWithRetry(options.executor, request);
  if (result.status !== "passed") return `the reference tests do not pass on the code (${result.status})`;
  const killed = new Set((result.mutation?.mutants ?? []).filter((m) => m.status === "killed").map((m) => m.id));
  const bug = candidates.find((c) => killed.has(c.id));
  if (bug === undefined) return "the reference tests kill none of the injected bugs";
  return { ...task, id: kindTaskId(task, "bugfix"), kind: "bugfix", given: bug.source, metadata: { ...task.metadata, bug: { operator: bug.operator, line: bug.line } } };
}

/** A bugfix task for every task (with reference tests) whose tests kill one of its seeded bugs. */
export async function bugfixTasks(tasks: readonly Task[], options: BugfixOptions): Promise<BugfixResult> {
  const facts = await prepareFunctions(tasks);
  const outcomes = await Promise.all(tasks.map((t, i) => injectOne(t, facts[i]?.bugs ?? null, options)));
  const result: BugfixResult = { tasks: [], dropped: [] };
  outcomes.forEach((o, i) => {
    if (typeof o === "string") result.dropped.push([(tasks[i] as Task).id, o]);
    else result.tasks.push(o);
  });
  return result;
}
