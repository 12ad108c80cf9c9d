/**
 * The repair loop: each test file that is not valid is shown back to the model with its pytest
 * failure log (the repair prompt, src/prompts/repair.ts) and regenerated, up to `rounds` times.
 * A sample and its repairs form a chain; a chain ends when its file is valid. Each round is one
 * generate job over the chains still failing and one scoring pass, in `<outDir>/round-<r>/`
 * (prompts, samples, scores appended as they are made), so an interrupted loop resumes: the
 * rounds already done are read back, and the round under way carries on.
 *
 * Used by `testtune refine` (traces for training) and by the eval stage (pass@1 by round).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runEngineJob } from "../engine/job.js";
import { SandboxError } from "../errors.js";
import { extractTestFile } from "../prompts/extract.js";
import { buildRepairPrompt } from "../prompts/repair.js";
import type { PromptOptions } from "../prompts/template.js";
import type { RewardPreset } from "../quality/rewards.js";
import type { Executor, SampleScore } from "../quality/score.js";
import { scoreFiles } from "../quality/score-files.js";
import type { Task } from "../tasks/schema.js";
import type { Trace } from "../train/traces.js";
import { readJsonlAll, readJsonlSync, writeJsonl } from "../util/jsonl.js";

/** A sample before any repair: its completion and how it scored (with the failure log). */
export interface FirstAttempt {
  task_id: string;
  sample_index: number;
  completion: string;
  valid: boolean;
  reward: number | null;
  failure_log?: string;
}

export interface RepairSettings {
  rounds: number;
  sampling: { temperature: number; top_p: number; max_new_tokens: number; batch_size: number; backend?: "engine" | "vllm" };
  seed: number;
  prompt?: PromptOptions;
  reward: RewardPreset;
  timeoutS?: number;
  quiet?: boolean;
  /** Progress lines (one per round). */
  log?: (message: string) => void;
}

export interface RoundRecord {
  round: number;
  /** Chains shown the repair prompt in this round. */
  attempted: number;
  /** Of those, the ones whose new file is valid. */
  fixed: number;
}

export interface RepairOutcome {
  /** Per task, the number of valid chains after each round, round 0 (no repair) first. */
  validByRound: Map<string, number[]>;
  /** Chains per task (the samples per task). */
  chainsPerTask: Map<string, number>;
  rounds: RoundRecord[];
  /** One per repair that ended valid. */
  traces: Trace[];
}

interface Chain {
  task: Task;
  key: string;
  file: string;
  log: string;
  validAt: number | null;
}

/** The id a chain goes by in a round's prompts and scores: unique across a task's samples. */
export function chainKey(taskId: string, sampleIndex: number): string {
  return `${taskId}#${sampleIndex}`;
}

function startChains(tasks: ReadonlyMap<string, Task>, first: readonly FirstAttempt[]): Chain[] {
  return first.map((a) => {
    const task = tasks.get(a.task_id);
    if (task === undefined) throw new SandboxError(`repair: sample of unknown task '${a.task_id}'`);
    return { task, key: chainKey(a.task_id, a.sample_index), file: extractTestFile(a.completion, task).tests, log: a.failure_log ?? "", validAt: a.valid ? 0 : null };
  });
}

function sampledAlready(samplesFile: string, keys: readonly string[]): boolean {
  if (!existsSync(samplesFile)) return false;
  const have = new Set((readJsonlSync(samplesFile) as { task_id?: unknown }[]).map((r) => r.task_id));
  return keys.every((k) => have.has(k));
}

/** One round's sampling: one completion per prompt appended to `samples` (resumable), as the engine's generate job writes them. */
export type RoundGenerator = (job: { model: { model: string; adapter?: string }; prompts: string; samples: string; seed: number; round: number; metricsFile: string }, settings: RepairSettings) => Promise<void>;

/** The engine's generate job (the default generator). */
export const engineGenerator: RoundGenerator = async (job, settings) => {
  await runEngineJob(
    "generate",
    { model: job.model.model, adapter: job.model.adapter ?? null, input: job.prompts, output: job.samples, num_samples: 1, ...settings.sampling, seed: job.seed },
    { quiet: settings.quiet, label: `repair round ${job.round}`, metricsFile: job.metricsFile },
  );
};

async function runRound(model: { model: string; adapter?: string }, pending: Chain[], dir: string, executor: Executor, settings: RepairSettings, round: number, generate: RoundGenerator): Promise<Map<string, { completion: string; score: SampleScore }>> {
  const files = { tasks: join(dir, "tasks.jsonl"), prompts: join(dir, "prompts.jsonl"), samples: join(dir, "samples.jsonl"), scores: join(dir, "scores.jsonl") };
  // each chain is its own task here (id = its key), so generation and scoring key on it
  writeJsonl(files.tasks, pending.map((c) => ({ ...c.task, id: c.key })));
  writeJsonl(
    files.prompts,
    pending.map((c) => ({ task_id: c.key, prompt: buildRepairPrompt({ module: c.task.module, code: c.task.code, failed_test: c.file, failure_log: c.log }, settings.prompt) })),
  );
  // a round read back on a re-run needs no model: starting one only to find every sample done costs seconds
  if (!sampledAlready(files.samples, pending.map((c) => c.key))) {
    await generate({ model, prompts: files.prompts, samples: files.samples, seed: settings.seed + round, round, metricsFile: join(dir, "metrics.jsonl") }, settings);
  }
  const scored = await scoreFiles({
    tasksFile: files.tasks,
    samplesFile: files.samples,
    outFile: files.scores,
    executor,
    reward: settings.reward,
    mutants: false,
    coverage: false,
    timeoutS: settings.timeoutS,
    failureLog: true,
    quiet: settings.quiet,
  });
  if (scored.sandboxErrors.length > 0) {
    throw new SandboxError(`repair round ${round}: the sandbox failed twice on ${scored.sandboxErrors.length} file(s) (first: ${scored.sandboxErrors[0]?.detail ?? ""})`, {
      hint: "run the same command again: what was scored is kept and only these are retried; 'testtune doctor' checks the sandbox",
    });
  }
  const completions = new Map((await readJsonlAll(files.samples)).map(({ value }) => [(value as { task_id: string }).task_id, (value as { completion: string }).completion]));
  const out = new Map<string, { completion: string; score: SampleScore }>();
  for (const { value } of await readJsonlAll(files.scores)) {
    const score = value as SampleScore;
    out.set(score.task_id, { completion: completions.get(score.task_id) ?? "", score });
  }
  return out;
}

/** Runs the repair rounds over the first attempts; see the module comment. */
export async function repairLoop(options: {
  model: { model: string; adapter?: string };
  tasks: readonly Task[];
  first: readonly FirstAttempt[];
  outDir: string;
  executor: Executor;
  settings: RepairSettings;
  /** How each round samples; the engine's generate job unless given. */
  generate?: RoundGenerator;
}): Promise<RepairOutcome> {
  const { settings } = options;
  const taskMap = new Map(options.tasks.map((t) => [t.id, t]));
  const chains = startChains(taskMap, options.first);
  const rounds: RoundRecord[] = [];
  const traces: Trace[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const pending = chains.filter((c) => c.validAt === null);
    if (pending.length === 0) {
      rounds.push({ round, attempted: 0, fixed: 0 });
      continue;
    }
    settings.log?.(`  repair round ${round}: ${pending.length} failing file(s)`);
    const results = await runRound(options.model, pending, join(options.outDir, `round-${round}`), options.executor, settings, round, options.generate ?? engineGenerator);
    let fixed = 0;
    for (const chain of pending) {
      const result = results.get(chain.key);
      if (result === undefined) throw new SandboxError(`repair round ${round}: no score for '${chain.key}'`, { hint: "run the same command again to finish the round" });
      const file = extractTestFile(result.completion, chain.task).tests;
      if (result.score.valid) {
        fixed += 1;
        chain.validAt = round;
        traces.push({ task_id: chain.task.id, code: chain.task.code, module: chain.task.module, failed_test: chain.file, failure_log: chain.log, fixed_test: file, round, reward: result.score.reward });
      } else {
        chain.file = file;
        chain.log = result.score.failure_log ?? "";
      }
    }
    rounds.push({ round, attempted: pending.length, fixed });
    settings.log?.(`  repair round ${round}: ${fixed} of ${pending.length} fixed`);
  }
  return { validByRound: validCounts(chains, options.tasks, settings.rounds), chainsPerTask: chainCounts(chains, options.tasks), rounds, traces };
}

function validCounts(chains: readonly Chain[], tasks: readonly Task[], rounds: number): Map<string, number[]> {
  const out = new Map(tasks.map((t) => [t.id, new Array<number>(rounds + 1).fill(0)]));
  for (const chain of chains) {
    if (chain.validAt === null) continue;
    const counts = out.get(chain.task.id) as number[];
    for (let r = chain.validAt; r <= rounds; r++) counts[r] = (counts[r] as number) + 1;
  }
  return out;
}

function chainCounts(chains: readonly Chain[], tasks: readonly Task[]): Map<string, number> {
  const out = new Map(tasks.map((t) => [t.id, 0]));
  for (const chain of chains) out.set(chain.task.id, (out.get(chain.task.id) ?? 0) + 1);
  return out;
}

/** The first attempts of a samples file and its scores file (joined on task and sample index). */
export async function readFirstAttempts(samplesFile: string, scoresFile: string): Promise<FirstAttempt[]> {
  const scores = new Map<string, SampleScore>();
  for (const { value } of await readJsonlAll(scoresFile)) {
    const s = value as SampleScore;
    scores.set(chainKey(s.task_id, s.sample_index ?? s.sample_line), s);
  }
  const out: FirstAttempt[] = [];
  for (const { line, value } of await readJsonlAll(samplesFile)) {
    const sample = value as { task_id: string; sample_index?: number; completion: string };
    const index = sample.sample_index ?? line;
    const score = scores.get(chainKey(sample.task_id, index));
    if (score === undefined) continue; // not scored: a sandbox error, reported by the caller's scoring
    out.push({ task_id: sample.task_id, sample_index: index, completion: sample.completion, valid: score.valid, reward: score.reward, ...(score.failure_log === undefined ? {} : { failure_log: score.failure_log }) });
  }
  return out;
}
