/**
 * The differential corpus of the sandbox: HumanEval's and MBPP's reference tests and generated
 * TinyTests files, each with the request it is run with, and the part of each result that must
 * never change when the executor is made faster (status, per-test outcomes, assertion count,
 * which mutants are detected, coverage fractions). `record-verdicts.ts` writes the verdicts of
 * a trusted executor to a fixture; `differential.test.ts` requires the current one to match.
 */
import { join } from "node:path";
import { generateTinyTests } from "../../src/tasks/tinytests/index.js";
import { humanevalSource } from "../../src/tasks/sources/humaneval.js";
import { mbppSource } from "../../src/tasks/sources/mbpp.js";
import type { Task } from "../../src/tasks/schema.js";
import type { SandboxPool } from "../../src/sandbox/pool.js";
import type { ExecRequest, ExecResult } from "../../src/sandbox/types.js";
import { packageRoot, referenceDatasetsDir } from "../../src/util/paths.js";

export const VERDICTS_FIXTURE = join(packageRoot, "test", "fixtures", "sandbox-verdicts.jsonl.gz");
/** TinyTests files in the corpus, from this seed (the same options give the same files). */
export const TINYTESTS_COUNT = 2000;
const TINYTESTS_SEED = 20261204;

export interface Case {
  id: string;
  request: ExecRequest;
}

/** What must stay identical: everything that decides a reward, nothing that depends on timing. */
export interface Verdict {
  id: string;
  status: string;
  tests: [string, string][];
  assertions: number;
  /** Mutant id -> detected (killed or timed out) or not; absent when no mutant ran. */
  detected?: Record<string, boolean>;
  coverage?: { line: number; branch: number };
}

function request(task: Task, extra: Partial<ExecRequest>): ExecRequest {
  return { code: task.code, tests: task.tests ?? "", module: task.module, timeout_s: 10, ...extra };
}

/**
 * Every case of the corpus. HumanEval runs with coverage and 5 mutants, every other TinyTests
 * file with 3 mutants (so failing and erroring runs are compared too), MBPP as it is.
 */
export async function buildCorpus(): Promise<Case[]> {
  const load = { seed: 1234, evalFraction: 0.1, log: () => undefined };
  const humaneval = await humanevalSource.load({ ...load, input: join(referenceDatasetsDir(), "HumanEval.jsonl.gz") });
  const mbpp = await mbppSource.load({ ...load, input: join(referenceDatasetsDir(), "mbpp.jsonl") });
  const tiny = await generateTinyTests({ seed: TINYTESTS_SEED, trainCount: TINYTESTS_COUNT, evalCount: 0 });
  return [
    ...humaneval.tasks.map((t) => ({ id: t.id, request: request(t, { coverage: true, mutants: true, max_mutants: 5 }) })),
    ...mbpp.tasks.map((t) => ({ id: t.id, request: request(t, {}) })),
    ...tiny.map((t, i) => ({ id: t.id, request: request(t, i % 2 === 0 ? { mutants: true, max_mutants: 3 } : {}) })),
  ];
}

export function verdictOf(id: string, result: ExecResult): Verdict {
  const verdict: Verdict = {
    id,
    status: result.status,
    tests: result.tests.map((t) => [t.nodeid, t.outcome]),
    assertions: result.assertions,
  };
  if (result.mutation !== undefined) {
    verdict.detected = Object.fromEntries(result.mutation.mutants.map((m) => [String(m.id), m.status === "killed" || m.status === "timeout"]));
  }
  if (result.coverage !== undefined) verdict.coverage = { line: result.coverage.line, branch: result.coverage.branch };
  return verdict;
}

/** Runs every case on the pool (all queued at once) and returns their verdicts in corpus order. */
export async function runCorpus(pool: SandboxPool, cases: Case[]): Promise<Verdict[]> {
  return Promise.all(cases.map(async (c) => verdictOf(c.id, await pool.exec(c.request))));
}
