/** Where each stage's model is inside a run directory, as the engine's generate job needs it. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { TesttuneError } from "../errors.js";
import { cachedModelDir } from "../model/pull.js";
import { knownModel } from "../model/registry.js";
import type { RunConfig } from "../config/run-config.js";
import { runPaths } from "./context.js";

export interface ModelRef {
  /** A full Hugging Face model directory. */
  model: string;
  /** A LoRA adapter on top of `model`, when the stage trained one. */
  adapter?: string;
}

/**
 * The base model: the configured one (a known model's name means its cached directory, which
 * the pipeline pulls before its first stage), or the tiny model the pretrain stage built.
 */
export function baseModel(runDir: string, config: RunConfig): string {
  const base = config.model.base;
  if (base === undefined) return runPaths.pretrainedModel(runDir);
  return knownModel(base) === undefined ? base : cachedModelDir(base);
}

/** The model a stage produced ("base" is the model before any training stage). */
export function stageModelRef(runDir: string, config: RunConfig, stage: string): ModelRef {
  const base = baseModel(runDir, config);
  if (stage === "base") return { model: base };
  const final = runPaths.stageModel(runDir, stage);
  if (!existsSync(final)) {
    const hint = stage.startsWith("sft/") ? `name a stage '${stage.slice(4)}' in sft.stages and run the sft stage first` : `run the ${stage} stage first: --stages ${stage},eval`;
    throw new TesttuneError("E_CONFIG", `no '${stage}' model in ${runDir} (expected ${final})`, { hint });
  }
  // A LoRA stage leaves an adapter (adapter_config.json) rather than a full model.
  return existsSync(join(final, "adapter_config.json")) ? { model: base, adapter: final } : { model: final };
}
