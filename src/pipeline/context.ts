/** What every pipeline stage receives: the run directory, the resolved config, the Python env. */
import { join } from "node:path";
import type { RunConfig, Stage } from "../config/run-config.js";
import type { EngineEvent } from "../engine/events.js";
import type { PythonEnv } from "../engine/python-env.js";
import type { Manifest } from "./manifest.js";

export interface StageContext {
  runDir: string;
  config: RunConfig;
  env: PythonEnv;
  manifest: Manifest;
  /** Suppress progress bars (tests). */
  quiet: boolean;
  /** Prints a line about the stage's work. */
  log: (message: string) => void;
  /** The stage being run (a reward variant such as `grpo_strength` runs the `grpo` stage function). */
  stage?: Stage;
  /** Sees every event of the stage's engine jobs (tests interrupt a job at a chosen step). */
  onEngineEvent?: (event: EngineEvent) => void;
}

/** A stage does its work and returns figures and paths to record in its status.json. */
export type StageFn = (ctx: StageContext) => Promise<Record<string, unknown>>;

export function stageDir(ctx: Pick<StageContext, "runDir">, stage: Stage | string): string {
  return join(ctx.runDir, stage);
}

/** Paths inside a run directory that several stages share. */
export const runPaths = {
  tasks: (runDir: string) => join(runDir, "data", "tasks.jsonl"),
  trainTasks: (runDir: string) => join(runDir, "data", "train.jsonl"),
  evalTasks: (runDir: string) => join(runDir, "data", "eval.jsonl"),
  sftData: (runDir: string) => join(runDir, "data", "sft.jsonl"),
  pretrainedModel: (runDir: string) => join(runDir, "pretrain", "model"),
  stageModel: (runDir: string, stage: string) => join(runDir, stage, "final"),
  evalDir: (runDir: string, model: string) => join(runDir, "eval", model),
};
