/**
 * `testtune refine` as a library call: sample n test files per task (round 0), run them, and
 * repair the failing ones for up to `rounds` rounds (src/eval/repair.ts). Writes to `outDir`:
 * - `traces.jsonl`: one failure -> fix trace per repair that ended valid (src/train/traces.ts);
 * - `results.json`: pass@1 after each round (round 0 first), with each round paired by task
 *   against round 0, the repairs attempted and fixed per round, and the settings;
 * - `round-<r>/`: each round's prompts, samples and scores (an interrupted run resumes there).
 */
import { join } from "node:path";
import { runEngineJob } from "../engine/job.js";
import { SandboxError } from "../errors.js";
import { repairLoop, readFirstAttempts, type RepairSettings } from "../eval/repair.js";
import { repairResults, type RepairResults } from "../eval/repair-results.js";
import type { Executor } from "../quality/score.js";
import { scoreFiles } from "../quality/score-files.js";
import type { Task } from "../tasks/schema.js";
import { writeJson, writeJsonl } from "../util/jsonl.js";
import { writePromptsFile } from "./prompts-file.js";

export interface RefineOptions {
  model: string;
  adapter?: string;
  tasks: readonly Task[];
  outDir: string;
  /** Test files sampled per task before any repair. */
  n: number;
  settings: RepairSettings;
  executor: Executor;
}

export interface RefineResult extends RepairResults {
  model: string;
  adapter: string | null;
  tasks: number;
  n: number;
  settings: Omit<RepairSettings, "log" | "quiet" | "prompt"> & { prompt_form: "tests-only" | "chat" };
}

export const refineFiles = (outDir: string) => ({
  traces: join(outDir, "traces.jsonl"),
  results: join(outDir, "results.json"),
  round0: join(outDir, "round-0"),
});

export async function refine(options: RefineOptions): Promise<RefineResult> {
  const { settings } = options;
  const dir = refineFiles(options.outDir).round0;
  const files = { tasks: join(dir, "tasks.jsonl"), prompts: join(dir, "prompts.jsonl"), samples: join(dir, "samples.jsonl"), scores: join(dir, "scores.jsonl") };
  writeJsonl(files.tasks, options.tasks);
  writePromptsFile(files.prompts, options.tasks, settings.prompt);
  const model = { model: options.model, ...(options.adapter === undefined ? {} : { adapter: options.adapter }) };
  settings.log?.(`  round 0: sampling ${options.n} per task for ${options.tasks.length} tasks`);
  await runEngineJob(
    "generate",
    { model: model.model, adapter: model.adapter ?? null, input: files.prompts, output: files.samples, num_samples: options.n, ...settings.sampling, seed: settings.seed },
    { quiet: settings.quiet, label: "refine: round 0", metricsFile: join(dir, "metrics.jsonl") },
  );
  const scored = await scoreFiles({ tasksFile: files.tasks, samplesFile: files.samples, outFile: files.scores, executor: options.executor, reward: settings.reward, mutants: false, coverage: false, timeoutS: settings.timeoutS, failureLog: true, quiet: settings.quiet });
  if (scored.sandboxErrors.length > 0) {
    throw new SandboxError(`round 0: the sandbox failed twice on ${scored.sandboxErrors.length} file(s) (first: ${scored.sandboxErrors[0]?.detail ?? ""})`, {
      hint: "run the same command again: what was scored is kept and only these are retried; 'testtune doctor' checks the sandbox",
    });
  }
  const first = await readFirstAttempts(files.samples, files.scores);
  const outcome = await repairLoop({ model, tasks: options.tasks, first, outDir: options.outDir, executor: options.executor, settings });
  writeJsonl(refineFiles(options.outDir).traces, outcome.traces);
  const { log: _log, quiet: _quiet, prompt, ...recorded } = settings;
  const result: RefineResult = {
    model: options.model,
    adapter: options.adapter ?? null,
    tasks: options.tasks.length,
    n: options.n,
    settings: { ...recorded, prompt_form: prompt?.chat === undefined ? "tests-only" : "chat" },
    ...repairResults(outcome, settings.rounds, settings.seed),
  };
  writeJson(refineFiles(options.outDir).results, result);
  return result;
}
