/**
 * The YAML config of `testtune train <job> --config <file>`: the job's spec fields (without
 * version and job), and for ppo and grpo the tasks the in-process reward service scores
 * against instead of a reward_url. Relative paths resolve against the config file's folder.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { applyOverrides, loadConfigFile, validate } from "../config/load.js";
import { runConfigSchema } from "../config/run-config.js";
import { scoringFields } from "../config/train-config.js";
import { sftSpecSchema } from "../engine/specs.js";
import { dpoSpecSchema, grpoSpecSchema, ppoSpecSchema } from "./specs.js";

export const TRAIN_COMMAND_JOBS = ["sft", "dpo", "ppo", "grpo"] as const;
export type TrainCommandJob = (typeof TRAIN_COMMAND_JOBS)[number];

/** How the reward service started for ppo and grpo scores completions. */
const rewardServiceFields = {
  tasks: z.string().min(1).describe("tasks.jsonl (id, code, module, ...) the reward service runs the completions against"),
  prompts: z
    .string()
    .min(1)
    .optional()
    .describe("JSONL of {task_id, prompt}; absent: one prompt per task of `tasks`, with the tests-only template, written to <output_dir>/prompts.jsonl"),
  reward: runConfigSchema.shape.reward,
  sandbox: runConfigSchema.shape.sandbox,
  ...scoringFields,
};

const withoutEnvelope = { version: true, job: true } as const;

export const trainJobConfigSchemas = {
  sft: sftSpecSchema.omit(withoutEnvelope),
  dpo: dpoSpecSchema.omit(withoutEnvelope),
  ppo: ppoSpecSchema.omit({ ...withoutEnvelope, reward_url: true, prompts: true }).extend(rewardServiceFields),
  grpo: grpoSpecSchema.omit({ ...withoutEnvelope, reward_url: true, prompts: true }).extend(rewardServiceFields),
} as const;

export type TrainJobConfig<J extends TrainCommandJob> = z.output<(typeof trainJobConfigSchemas)[J]>;

const PATH_FIELDS = ["model", "base_model", "adapter", "data", "prompts", "tasks", "output_dir"] as const;

/** The config with every path field made absolute against the config file's folder. */
export function resolveConfigPaths<C extends Record<string, unknown>>(config: C, configFile: string): C {
  const base = dirname(resolve(configFile));
  const out: Record<string, unknown> = { ...config };
  for (const field of PATH_FIELDS) {
    const value = out[field];
    if (typeof value === "string" && !isAbsolute(value)) out[field] = resolve(base, value);
  }
  return out as C;
}

const TRAIN_CONFIG_DOCS = "docs/training.md lists each job's fields and defaults";

/** Reads, overrides and validates a job config; errors name the file (or --set) and the field. */
export function loadTrainConfig<J extends TrainCommandJob>(job: J, file: string, set: string[] = []): TrainJobConfig<J> {
  const schema = trainJobConfigSchemas[job];
  if (set.length === 0) return resolveConfigPaths(loadConfigFile(schema, file, TRAIN_CONFIG_DOCS) as TrainJobConfig<J>, file);
  loadConfigFile(schema, file, TRAIN_CONFIG_DOCS); // the file alone must be valid, so that an error names it rather than --set
  const raw = (parseYaml(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
  return resolveConfigPaths(validate(schema, applyOverrides(raw, set), `${file} with --set`, TRAIN_CONFIG_DOCS) as TrainJobConfig<J>, file);
}
