/**
 * What `testtune model export --model` points at: a Hugging Face model directory, a LoRA
 * adapter directory (its base from adapter_config.json), or a stage of a run directory
 * (RUN_DIR/STAGE, e.g. runs/x/sft or runs/x/base), resolved the way the pipeline does.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { validate } from "../config/load.js";
import { runConfigSchema, type RunConfig } from "../config/run-config.js";
import { ConfigError, UsageError } from "../errors.js";
import { stageModelRef } from "../pipeline/models.js";
import { readJson } from "../util/jsonl.js";
import { resolveModelBase } from "./pull.js";

export interface ModelSource {
  /** A full Hugging Face model directory. */
  model: string;
  /** A LoRA adapter to merge into `model` first. */
  adapter?: string;
  /** The run directory and stage, when the source is a run's stage. */
  run?: { dir: string; stage: string };
  /** A name for the exported files. */
  name: string;
}

const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile();

function adapterBase(adapter: string): string {
  const file = join(adapter, "adapter_config.json");
  const base = (readJson(file) as { base_model_name_or_path?: unknown }).base_model_name_or_path;
  if (typeof base !== "string" || !isFile(join(base, "config.json"))) {
    throw new ConfigError(file, "base_model_name_or_path", `names ${JSON.stringify(base)}, which is not a model directory here`, {
      hint: "export the run's stage instead (--model RUN_DIR/STAGE), or merge the adapter first (the merge job, docs/training.md)",
    });
  }
  return base;
}

/** The resolved config of a run directory (its config.yaml), or undefined when `runDir` is not one. */
export function readRunConfig(runDir: string): RunConfig | undefined {
  const configFile = join(runDir, "config.yaml");
  if (!isFile(configFile)) return undefined;
  return validate(runConfigSchema, parseYaml(readFileSync(configFile, "utf8")), configFile, "'testtune config schema' lists every field");
}

export async function resolveModelSource(path: string, options: { quiet?: boolean } = {}): Promise<ModelSource> {
  const full = resolve(path);
  const usage = "--model takes a model directory, an adapter directory or RUN_DIR/STAGE (e.g. runs/x/sft)";
  const runDir = dirname(full);
  const config = readRunConfig(runDir);
  if (config !== undefined) {
    const stage = basename(full);
    const ref = stageModelRef(runDir, config, stage);
    const model = await resolveModelBase(ref.model, options);
    return { model, adapter: ref.adapter, run: { dir: runDir, stage }, name: `${basename(runDir)}-${stage}` };
  }
  if (isFile(join(full, "adapter_config.json"))) return { model: adapterBase(full), adapter: full, name: basename(full) };
  if (isFile(join(full, "config.json"))) return { model: full, name: basename(full) };
  throw new UsageError(`${path} is not a model directory, an adapter directory or a run's stage`, usage);
}
