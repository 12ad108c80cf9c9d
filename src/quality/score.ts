/**
 * Scoring completions: extract the test file, count its checks, run it against the task's
 * reference code in the sandbox (optionally with mutants and coverage), and apply a reward
 * preset. `scoreCompletions` scores one batch (the reward service and training stages call
 * it); `scoreSamples` scores a list of samples in batches with resume keys (`testtune score`
 * and the pipeline call it).
 */
import { extractTestFile, type ExtractionMethod } from "../prompts/extract.js";
import { MAX_SOURCE_CHARS } from "../sandbox/request.js";
import type { ExecRequest, ExecResult, Outcome } from "../sandbox/types.js";
import type { Sample, Task } from "../tasks/schema.js";
import { failureLog } from "./failure-log.js";
import { reward, type RewardPreset } from "./rewards.js";
import { isValid, targetProblem, toScoredSample, type ScoredSample, type TestCounts } from "./sample.js";
import { mutantSets, sampleMutants } from "./mutant-sets.js";
import { analyseTestFiles, type TestFileFacts } from "./static-assertions.js";
import { missedMutants, type MissedMutant } from "./missed-mutants.js";

/** What scoring needs from the sandbox: SandboxPool fits it. */
export interface Executor {
  exec(request: ExecRequest): Promise<ExecResult>;
}

export interface ScoreSettings {
  reward: RewardPreset;
  /** Run the tests against mutants of the reference code (only when they pass on it). */
  mutants: boolean;
  /** Measure line and branch coverage of the reference code. */
  coverage: boolean;
  /** Wall-clock limit per test run, seconds (the pool's default when absent). */
  timeoutS?: number;
  /** At most this many mutants per task (a seeded sample over operator families); all when absent. */
  maxMutants?: number;
  /** Seeds that sample, mixed with the task id (training passes one per step); 0 when absent. */
  mutantSeed?: number | string;
  /** Keep the trimmed pytest failure log of each file that is not valid (what a repair prompt shows). */
  failureLog?: boolean;
}

/** One scored completion: a line of scores.jsonl (with sample_index and sample_line added there). */
export interface ScoreRecord {
  task_id: string;
  status: Outcome;
  tests: TestCounts;
  assertions: number;
  static_assertions: number | null;
  valid: boolean;
  mutation?: ScoredSample["mutation"];
  coverage?: ScoredSample["coverage"];
  /** null only for sandbox_error: our failure, never trained or reported on. */
  reward: number | null;
  reward_preset: RewardPreset;
  extraction: ExtractionMethod;
  /** Why a file whose tests all passed is still not valid: it tests a copy, or never the module. */
  invalid_reason?: string;
  /** Checks written, each distinct one once (static). */
  distinct_assertions?: number;
  /** Distinct argument lists the tests call the entry points with (static). */
  distinct_inputs?: number;
  /** Mutants the file let survive (at most MAX_MISSED_MUTANTS), when mutants ran and some survived. */
  missed_mutants?: MissedMutant[];
  /** Entry points imported on the file's behalf by extraction (see src/prompts/extract.ts). */
  added_imports?: string[];
  detail: string;
  duration_s: number;
  /** With `failureLog`, for a file that is not valid: its trimmed pytest failure log (src/quality/failure-log.ts). */
  failure_log?: string;
}

export interface Completion {
  task: Task;
  completion: string;
}

const NO_TESTS: TestCounts = { total: 0, passed: 0, failed: 0, error: 0, other: 0 };

function record(
  task: Task,
  sample: ScoredSample,
  settings: ScoreSettings,
  extras: Pick<ScoreRecord, "extraction" | "detail" | "duration_s"> & { added: string[]; facts: TestFileFacts | null; missed?: MissedMutant[] | undefined; tests?: ExecResult["tests"] },
): ScoreRecord {
  const out: ScoreRecord = {
    task_id: task.id,
    status: sample.status,
    tests: sample.tests,
    assertions: sample.assertions,
    static_assertions: sample.static_assertions,
    valid: isValid(sample),
    reward: reward(settings.reward, sample),
    reward_preset: settings.reward,
    extraction: extras.extraction,
    detail: extras.detail,
    duration_s: extras.duration_s,
  };
  const problem = sample.status === "passed" ? targetProblem(sample.target) : undefined;
  if (problem !== undefined) out.invalid_reason = problem;
  if (extras.facts !== null) {
    out.distinct_assertions = extras.facts.distinct_assertions;
    out.distinct_inputs = extras.facts.distinct_inputs;
  }
  if (sample.mutation !== undefined) out.mutation = sample.mutation;
  if (sample.coverage !== undefined) out.coverage = sample.coverage;
  if (extras.missed !== undefined && extras.missed.length > 0) out.missed_mutants = extras.missed;
  if (extras.added.length > 0) out.added_imports = extras.added;
  if (settings.failureLog === true && !out.valid) {
    // a run that passed but is not valid (it tests a copy, or asserts nothing) fails for that reason
    const detail = sample.status === "passed" ? `the tests passed but are not valid: ${problem ?? "no assertion ran"}` : extras.detail;
    out.failure_log = failureLog({ status: sample.status === "passed" ? "failed" : sample.status, tests: extras.tests ?? [], detail });
  }
  return out;
}

/** Runs a request; a sandbox_error (ours: a dead executor, a lost pipe) is retried once. */
export async function execWithRetry(executor: Executor, request: ExecRequest): Promise<ExecResult> {
  const first = await executor.exec(request);
  // sandbox_error is ours (a dead executor, a lost pipe): one retry, then it is reported
  return first.status === "sandbox_error" ? executor.exec(request) : first;
}

/**
 * Scores a batch of completions; the records come back in order, and `onRecord` (when given)
 * sees each one as soon as it is done.
 */
export async function scoreCompletions(
  items: Completion[],
  executor: Executor,
  settings: ScoreSettings,
  onRecord?: (index: number, rec: ScoreRecord) => void | Promise<void>,
): Promise<ScoreRecord[]> {
  const extracted = items.map((item) => extractTestFile(item.completion, item.task));
  const setOf = settings.mutants ? await mutantSets(items.map((i) => i.task), executor, settings.timeoutS) : undefined;
  const facts = await analyseTestFiles(extracted.map((e, i) => ({ source: e.tests, module: (items[i] as Completion).task.module, entry_points: (items[i] as Completion).task.entry_points })));
  const scoreOne = async (task: Task, i: number): Promise<ScoreRecord> => {
    const file = extracted[i] as (typeof extracted)[number];
    const fileFacts = facts[i] ?? null;
    const staticCount = fileFacts?.count ?? null;
    const target = fileFacts === null ? undefined : { shadowed: fileFacts.shadowed, uses_module: fileFacts.uses_module };
    const extras = { extraction: file.method, added: file.added_imports, facts: fileFacts };
    if (file.method === "none") {
      const sample: ScoredSample = { status: "no_tests", tests: NO_TESTS, assertions: 0, static_assertions: staticCount };
      return record(task, sample, settings, { ...extras, detail: "no test file found in the completion", duration_s: 0 });
    }
    if (staticCount === null) {
      // the same Python parser would fail in the sandbox: no need to run it
      const sample: ScoredSample = { status: "syntax_error", tests: NO_TESTS, assertions: 0, static_assertions: null };
      return record(task, sample, settings, { ...extras, detail: "the test file is not valid Python", duration_s: 0 });
    }
    if (file.tests.length > MAX_SOURCE_CHARS) {
      // the sandbox refuses such a request outright; a completion this size is abuse, not a test
      const sample: ScoredSample = { status: "rejected", tests: NO_TESTS, assertions: 0, static_assertions: staticCount };
      return record(task, sample, settings, { ...extras, detail: `the test file is over ${MAX_SOURCE_CHARS} characters`, duration_s: 0 });
    }
    const request: ExecRequest = { code: task.code, tests: file.tests, module: task.module, mutants: false, coverage: settings.coverage };
    if (settings.timeoutS !== undefined) request.timeout_s = settings.timeoutS;
    let result = await execWithRetry(executor, request);
    let equivalent: number | undefined;
    let missed: MissedMutant[] | undefined;
    // mutants only for a file that passed and tests the module (of a copy they would measure the copy)
    if (setOf !== undefined && result.status === "passed" && result.assertions > 0 && targetProblem(target) === undefined) {
      const set = await setOf(task);
      const withMutants: ExecRequest = { ...request, mutants: true, coverage: false };
      if (set === null) {
        if (settings.maxMutants !== undefined) withMutants.max_mutants = settings.maxMutants;
      } else {
        withMutants.mutant_list = settings.maxMutants === undefined ? set.mutants : sampleMutants(set.mutants, settings.maxMutants, `${settings.mutantSeed ?? 0}:${task.id}`);
        equivalent = set.equivalent;
      }
      const mutated = await execWithRetry(executor, withMutants);
      // the verdict stays the first run's; a different second verdict (a flaky file) decides instead
      result = mutated.status === "passed" ? { ...result, mutation: mutated.mutation } : { ...mutated, coverage: result.coverage };
      if (mutated.status === "passed" && mutated.mutation !== undefined) missed = missedMutants(mutated.mutation, withMutants.mutant_list);
    }
    const sample: ScoredSample = { ...toScoredSample(result, staticCount), ...(target === undefined ? {} : { target }) };
    if (sample.mutation !== undefined && equivalent !== undefined) sample.mutation.equivalent = equivalent;
    return record(task, sample, settings, { ...extras, missed, detail: result.detail, duration_s: result.duration_s, tests: result.tests });
  };
  return Promise.all(
    items.map(async ({ task }, i) => {
      const rec = await scoreOne(task, i);
      await onRecord?.(i, rec);
      return rec;
    }),
  );
}

export interface NumberedSample {
  /** 1-based line in the samples file. */
  line: number;
  sample: Sample;
}

/** The resume key of a sample: task id and sample index, or its line when it has no index. */
export function sampleKey(taskId: string, sampleIndex: number | null | undefined, line: number): string {
  return sampleIndex === null || sampleIndex === undefined ? `line:${line}` : `${taskId}#${sampleIndex}`;
}

export type SampleScore = ScoreRecord & { sample_index: number | null; sample_line: number };

export interface ScoreSamplesOptions extends ScoreSettings {
  tasks: ReadonlyMap<string, Task>;
  samples: NumberedSample[];
  executor: Executor;
  /** Keys (sampleKey) already scored: skipped, so an interrupted run resumes. */
  done?: ReadonlySet<string>;
  /** Called once per scored sample as soon as its batch is done (append it to a file here). */
  onScore: (score: SampleScore) => void | Promise<void>;
  onProgress?: (scored: number, total: number) => void;
  /** Samples per batch: one static-count process and one wave of sandbox runs each. */
  batchSize?: number;
  /** Once aborted, no new batch starts and no further score is passed to onScore. */
  signal?: AbortSignal;
  /** Scores one batch; scoreCompletions (test files only) when absent. src/kinds/score.ts scores any kind. */
  scoreBatch?: typeof scoreCompletions;
}

export interface ScoreSummary {
  scored: number;
  skipped: number;
  /** Samples the sandbox failed on twice: not passed to onScore, so a re-run retries them. */
  sandboxErrors: SampleScore[];
}

/**
 * Scores samples whose task_id is in `tasks` (callers check that first). Two batches are in
 * flight at a time so the sandbox stays busy while a batch waits for its slowest run.
 */
export async function scoreSamples(options: ScoreSamplesOptions): Promise<ScoreSummary> {
  const todo = options.samples.filter(({ line, sample }) => !(options.done?.has(sampleKey(sample.task_id, sample.sample_index, line)) ?? false));
  const summary: ScoreSummary = { scored: 0, skipped: options.samples.length - todo.length, sandboxErrors: [] };
  const batchSize = options.batchSize ?? 64;
  const batches: NumberedSample[][] = [];
  for (let start = 0; start < todo.length; start += batchSize) batches.push(todo.slice(start, start + batchSize));
  let finished = 0;
  options.onProgress?.(0, todo.length);
  const runBatch = async (batch: NumberedSample[]): Promise<void> => {
    const items = batch.map(({ sample }) => ({ task: options.tasks.get(sample.task_id) as Task, completion: sample.completion }));
    await (options.scoreBatch ?? scoreCompletions)(items, options.executor, options, async (i, rec) => {
      if (options.signal?.aborted === true) return;
      const { line, sample } = batch[i] as NumberedSample;
      const { task_id, ...rest } = rec; // keeps task_id, sample_index, sample_line first in the line
      const score: SampleScore = { task_id, sample_index: sample.sample_index ?? null, sample_line: line, ...rest };
      if (rec.status === "sandbox_error") summary.sandboxErrors.push(score);
      else {
        await options.onScore(score);
        summary.scored += 1;
      }
      finished += 1;
      options.onProgress?.(finished, todo.length);
    });
  };
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < batches.length && options.signal?.aborted !== true) await runBatch(batches[next++] as NumberedSample[]);
  };
  await Promise.all([lane(), lane()]);
  return summary;
}
