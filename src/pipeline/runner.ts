/**
 * Runs the configured stages in pipeline order. A stage whose status.json says complete is
 * skipped; a failed or interrupted stage runs again, and its engine job resumes from its own
 * newest checkpoint. One pipeline at a time per run directory (run-lock.ts).
 */
import { mkdirSync } from "node:fs";
import { STAGES, type RunConfig, type Stage } from "../config/run-config.js";
import { TesttuneError } from "../errors.js";
import type { PythonEnv } from "../engine/python-env.js";
import { pullModel } from "../model/pull.js";
import { knownModel } from "../model/registry.js";
import { formatDuration } from "../util/progress.js";
import { stageDir, type StageContext, type StageFn } from "./context.js";
import { openManifest, writeManifest } from "./manifest.js";
import { acquireRunLock } from "./run-lock.js";
import { readStageStatus, timeSpent, writeStageStatus } from "./stage-status.js";

export interface PipelineOptions {
  runDir: string;
  config: RunConfig;
  env: PythonEnv;
  stages: Partial<Record<Stage, StageFn>>;
  quiet?: boolean;
  log?: (message: string) => void;
}

export interface PipelineResult {
  ran: Stage[];
  skipped: Stage[];
  durations: Partial<Record<Stage, number>>;
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const { runDir } = options;
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  mkdirSync(runDir, { recursive: true });
  const release = acquireRunLock(runDir, log);
  try {
    return await runStages(options, log);
  } finally {
    release();
  }
}

async function runStages(options: PipelineOptions, log: (message: string) => void): Promise<PipelineResult> {
  const { runDir, config, env } = options;
  const manifest = await openManifest(runDir, config.name, config.seed, env);
  const ctx: StageContext = { runDir, config, env, manifest, quiet: options.quiet ?? false, log };
  const ordered = STAGES.filter((s) => config.stages.includes(s));
  // A base model named by the registry is pulled (installed and imported) once, into the cache.
  if (config.model.base !== undefined && knownModel(config.model.base) !== undefined) await pullModel(config.model.base, { quiet: options.quiet });
  const result: PipelineResult = { ran: [], skipped: [], durations: {} };
  for (const stage of ordered) {
    const fn = options.stages[stage];
    if (fn === undefined) throw new TesttuneError("E_CONFIG", `stage '${stage}' is not available in this version of testtune`);
    const dir = stageDir(ctx, stage);
    const previous = readStageStatus(dir);
    if (previous?.status === "complete") {
      log(`[${stage}] complete (took ${formatDuration(previous.duration_s ?? 0)}), skipped`);
      result.skipped.push(stage);
      continue;
    }
    mkdirSync(dir, { recursive: true });
    const startedAt = new Date();
    // A stage resumed after an interruption or failure reports its whole cost: every attempt's time.
    const earlier = previous === undefined ? { attempts: 0, seconds: 0 } : timeSpent(previous);
    const attempts = earlier.attempts + 1;
    const elapsed = (end: Date): number => (end.getTime() - startedAt.getTime()) / 1000;
    log(`[${stage}] ${previous === undefined ? "starting" : `resuming after '${previous.status}'`}`);
    writeStageStatus(dir, { stage, status: "running", started_at: startedAt.toISOString(), attempts, ...(earlier.attempts === 0 ? {} : { duration_s: earlier.seconds }) });
    try {
      const outputs = await fn({ ...ctx, stage });
      const finished = new Date();
      const duration = earlier.seconds + elapsed(finished);
      writeStageStatus(dir, { stage, status: "complete", started_at: startedAt.toISOString(), finished_at: finished.toISOString(), duration_s: duration, attempts, outputs });
      manifest.stages[stage] = { status: "complete", duration_s: duration, attempts, started_at: startedAt.toISOString(), finished_at: finished.toISOString() };
      writeManifest(runDir, manifest);
      result.ran.push(stage);
      result.durations[stage] = duration;
      log(`[${stage}] complete in ${formatDuration(elapsed(finished))}${attempts > 1 ? ` (${formatDuration(duration)} over ${attempts} attempts)` : ""}`);
    } catch (error) {
      const interrupted = error instanceof TesttuneError && error.code === "E_ENGINE_INTERRUPTED";
      const status = interrupted ? "interrupted" : "failed";
      const finished = new Date();
      const duration = earlier.seconds + elapsed(finished);
      writeStageStatus(dir, { stage, status, started_at: startedAt.toISOString(), finished_at: finished.toISOString(), duration_s: duration, attempts, error: (error as Error).message });
      manifest.stages[stage] = { status, duration_s: duration, attempts, started_at: startedAt.toISOString() };
      writeManifest(runDir, manifest);
      throw error;
    }
  }
  return result;
}
