/**
 * A model's own samples on tasks, run in the sandbox: what the prefs and rft stages start
 * from. The engine's generate job samples n completions per task prompt (appending, so an
 * interrupted job resumes), then each sample runs against its task's reference code and
 * mutants and gets the reward preset's score (src/quality/score-files.ts, resuming too).
 */
import { runEngineJob } from "../engine/job.js";
import { SandboxError } from "../errors.js";
import type { PromptOptions } from "../prompts/template.js";
import type { RewardPreset } from "../quality/rewards.js";
import type { KindScoreRecord } from "../kinds/score.js";
import { loadSamples } from "../quality/inputs.js";
import { sampleKey, type Executor, type NumberedSample, type SampleScore } from "../quality/score.js";
import { scoreFiles } from "../quality/score-files.js";
import type { Task } from "../tasks/schema.js";
import { readJsonlAll, writeJsonl } from "../util/jsonl.js";
import { writePromptsFile, type TaskPrompt } from "./prompts-file.js";

export interface SampleFiles {
  tasks: string;
  prompts: string;
  samples: string;
  scores: string;
}

export interface SampleAndScoreOptions {
  /** The model to sample from (a Hugging Face directory) and its LoRA adapter, if any. */
  model: string;
  adapter?: string;
  tasks: readonly Task[];
  /** Samples per prompt. */
  n: number;
  sampling: { temperature: number; top_p: number; max_new_tokens: number; batch_size: number; backend?: "engine" | "vllm" };
  /** How prompts are written (the model's chat template, if any); the tests-only template by default. */
  prompt?: PromptOptions;
  seed: number;
  reward: RewardPreset;
  mutants: boolean;
  coverage: boolean;
  /** With mutants: at most this many per task (all when absent). */
  maxMutants?: number;
  /** Runs the test files (a SandboxPool); the caller starts and closes it. */
  executor: Executor;
  /** Wall-clock limit of one test run, seconds (the executor's default when absent). */
  runTimeoutS?: number;
  quiet?: boolean;
  /** The progress label of the sampling job. */
  label: string;
}

/** Samples and scores into `files`; returns the prompts it wrote. */
export async function sampleAndScore(files: SampleFiles, options: SampleAndScoreOptions): Promise<TaskPrompt[]> {
  writeJsonl(files.tasks, options.tasks);
  const prompts = writePromptsFile(files.prompts, options.tasks, options.prompt);
  await runEngineJob(
    "generate",
    {
      model: options.model,
      adapter: options.adapter ?? null,
      input: files.prompts,
      output: files.samples,
      num_samples: options.n,
      ...options.sampling,
      seed: options.seed,
    },
    { quiet: options.quiet, label: options.label },
  );
  const scored = await scoreFiles({
    tasksFile: files.tasks,
    samplesFile: files.samples,
    outFile: files.scores,
    executor: options.executor,
    reward: options.reward,
    mutants: options.mutants,
    coverage: options.coverage,
    maxMutants: options.maxMutants,
    timeoutS: options.runTimeoutS,
    quiet: options.quiet,
  });
  if (scored.sandboxErrors.length > 0) {
    throw new SandboxError(`the sandbox failed twice on ${scored.sandboxErrors.length} sample(s) (first: ${scored.sandboxErrors[0]?.detail ?? ""})`, {
      hint: "run the same command again: scored samples are kept and only these are retried; 'testtune doctor' checks the sandbox",
    });
  }
  return prompts;
}

export interface ScoredSample extends NumberedSample {
  /** Its score, with a reward (never null here). */
  score: SampleScore & KindScoreRecord & { reward: number };
}

/**
 * The samples of `files` with their scores, joined on (task_id, sample_index, line), in the
 * samples file's order. A sample without a score or with a null reward is left out: scoreFiles
 * could not run it (a sandbox error, which sampleAndScore reports).
 */
export async function scoredSamples(files: SampleFiles, tasks: ReadonlyMap<string, Task>): Promise<ScoredSample[]> {
  const scores = new Map<string, SampleScore & KindScoreRecord>();
  for (const { value } of await readJsonlAll(files.scores)) {
    const score = value as SampleScore & KindScoreRecord;
    scores.set(sampleKey(score.task_id, score.sample_index, score.sample_line), score);
  }
  const out: ScoredSample[] = [];
  for (const numbered of await loadSamples(files.samples, tasks, files.tasks)) {
    const score = scores.get(sampleKey(numbered.sample.task_id, numbered.sample.sample_index, numbered.line));
    if (score === undefined || score.reward === null) continue;
    out.push({ ...numbered, score: score as ScoredSample["score"] });
  }
  return out;
}
