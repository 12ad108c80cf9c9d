/**
 * The run config's sections for the stages after SFT: `rft`, `prefs`, `dpo`, `ppo` and `grpo`.
 * A field that means the same as a job spec field reuses that field (its default and its
 * description, with the source of the default, stay in src/train/specs.ts); the fields
 * declared here are the pipeline's own (step counts, task limits, sampling for pairs).
 * Each stage starts from the SFT model; the reward preset and the sandbox come from the
 * config's `reward` and `sandbox` sections.
 */
import { z } from "zod";
import { samplingBackend } from "../engine/specs.js";
import { dpoSpecSchema, grpoSpecSchema, ppoSpecSchema } from "../train/specs.js";
import { REWARD_PRESETS } from "../quality/rewards.js";

const dpo = dpoSpecSchema.shape;
const grpo = grpoSpecSchema.shape;
const ppo = ppoSpecSchema.shape;

const maxTasks = z.number().int().positive().optional().describe("Use only the first N train tasks (all when absent)");
const steps = (fallback: number) => z.number().int().positive().default(fallback).describe("Optimizer steps of the stage");

/** How the sandbox scores samples for the stages that run them (with the config's reward preset). */
export const scoringFields = {
  mutants: z.boolean().default(true).describe("Run valid test files against mutants too, so that the quality reward ranks valid files by what they catch"),
  coverage: z.boolean().default(false).describe("Measure line coverage too (slower; the quality reward uses it when present)"),
  max_mutants: z.number().int().positive().optional().describe("With mutants: at most this many per task, a seeded sample over operator families (all when absent)"),
};

export const prefsSectionSchema = z.strictObject({
  n: z.number().int().min(2).default(8).describe("Samples per train prompt to compare; more samples find more pairs"),
  margin: z.number().min(0).max(1).default(0.1).describe("A pair needs the chosen's reward to beat the rejected's by at least this"),
  pairs_per_prompt: z
    .number()
    .int()
    .positive()
    .default(1)
    .describe("Pairs taken from one prompt: best valid vs worst first (as Self-Rewarding LMs, Yuan et al. 2024), then the next best vs next worst"),
  valid_pairs_per_prompt: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("Extra pairs from one prompt of a stronger valid file against a weaker valid one (strongest vs weakest first), so that the reward's ranking of valid files is learned, not only validity; 0: none"),
  match_checks: z
    .boolean()
    .default(false)
    .describe("The rejected side of the best-vs-worst pairs (pairs_per_prompt; mostly valid vs invalid) writes no more checks than the chosen (closest count first), so that they teach correctness, not writing fewer checks"),
  valid_margin: z.number().gt(0).max(1).default(0.15).describe("The reward gap those valid-vs-valid pairs need (0.15 under the strength reward: 0.2 of the mutants); above 0, so a tie is never a pair"),
  max_tasks: maxTasks,
  corpus_tasks: z
    .number()
    .int()
    .nonnegative()
    .default(0)
    .describe("Also sample for this many functions of a Python corpus (the selfgen section says which corpus and functions): pairs of the model's own test files for code without reference tests"),
  temperature: z.number().positive().default(0.8).describe("Sampling temperature for the candidates (the Codex paper's choice for diverse samples)"),
  top_p: z.number().gt(0).max(1).default(0.95).describe("Nucleus sampling mass for the candidates"),
  max_new_tokens: z.number().int().positive().default(256).describe("Longest candidate in tokens"),
  batch_size: z.number().int().positive().default(128).describe("Sequences per forward pass while sampling, from several prompts; the samples do not depend on it"),
  backend: samplingBackend,
  ...scoringFields,
});

/** The model a training stage starts from, and its reference (the adapter disabled). */
const from = z
  .string()
  .regex(new RegExp(`^(sft|(rft|dpo|ppo|grpo)(_(${REWARD_PRESETS.join("|")}))?)$`), "sft, or an rft, dpo, ppo or grpo stage (or its reward variant)")
  .default("sft")
  .describe("The model this stage starts from and is kept near (its reference): sft, or an rft/dpo/ppo/grpo stage or variant that runs before it (e.g. grpo from dpo, so that GRPO's groups already hold several valid files)");

/**
 * Rejection-sampling fine-tuning (expert iteration): rounds of sampling on the train tasks,
 * keeping the files the sandbox scores at least `min_reward`, and supervised fine-tuning on
 * them (src/train/rft.ts; docs/training.md).
 */
export const rftSectionSchema = z.strictObject({
  rounds: z.number().int().positive().default(2).describe("Rounds of sample, keep, train; round r samples with round r-1's model"),
  from,
  max_tasks: maxTasks,
  n: z.number().int().positive().default(8).describe("Samples per train task in each round"),
  min_reward: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe("A valid sample is kept when the stage's reward reaches this. 1 keeps, under strong_only, the strong files (valid, killing at least 0.8 of the mutants); under quality (coverage off), strength or mutation, the files that kill every mutant; under staged or pass_rate, every valid file"),
  max_per_task: z.number().int().positive().default(4).describe("Kept files per task, over all rounds so far: highest reward first, then the most distinct inputs"),
  temperature: z.number().positive().default(0.8).describe("Sampling temperature (diverse samples find more files worth keeping)"),
  top_p: z.number().gt(0).max(1).default(0.95).describe("Nucleus sampling mass"),
  max_new_tokens: z.number().int().positive().default(256).describe("Longest sample in tokens"),
  sample_batch_size: z.number().int().positive().default(128).describe("Sequences per forward pass while sampling, from several prompts; the samples do not depend on it"),
  backend: samplingBackend,
  epochs: z.number().positive().default(3).describe("Passes over the kept files in each round's fine-tuning"),
  batch_size: z.number().int().positive().default(8).describe("Kept files per optimizer step"),
  learning_rate: z.number().positive().default(2e-4).describe("Peak learning rate of the LoRA adapter each round trains (the QLoRA paper's 2e-4)"),
  max_length: z.number().int().positive().default(512).describe("Tokens of prompt + completion, as the sft section's; longer rows are cut at the end"),
  save_steps: z.number().int().positive().default(50).describe("Steps between checkpoints of a round's fine-tuning (what an interrupted round resumes from)"),
  ...scoringFields,
});

export const dpoSectionSchema = z.strictObject({
  max_steps: steps(100),
  from,
  method: dpo.method,
  beta: dpo.beta,
  loss_type: dpo.loss_type,
  rpo_alpha: dpo.rpo_alpha,
  batch_size: dpo.batch_size,
  grad_accum: dpo.grad_accum,
  learning_rate: dpo.learning_rate,
  warmup_ratio: dpo.warmup_ratio,
  max_length: z.number().int().positive().default(512).describe("Tokens of prompt + completion, as the sft section's; longer pairs are cut at the end"),
  save_steps: dpo.save_steps,
  logging_steps: dpo.logging_steps,
});

export const grpoSectionSchema = z.strictObject({
  max_steps: steps(20),
  from,
  max_tasks: maxTasks,
  method: grpo.method,
  num_generations: grpo.num_generations,
  batch_size: grpo.batch_size,
  grad_accum: grpo.grad_accum,
  max_completion_length: grpo.max_completion_length,
  temperature: grpo.temperature,
  beta: grpo.beta,
  epsilon: grpo.epsilon,
  loss_type: grpo.loss_type,
  group_baseline: grpo.group_baseline,
  scale_rewards: grpo.scale_rewards,
  learning_rate: grpo.learning_rate,
  reward_timeout_s: grpo.reward_timeout_s,
  ...scoringFields,
  save_steps: z.number().int().positive().default(10).describe("Steps between checkpoints; online RL steps are slow, so save often"),
  logging_steps: z.number().int().positive().default(1).describe("Steps between metrics events"),
});

export const ppoSectionSchema = z.strictObject({
  max_steps: steps(20),
  from,
  max_tasks: maxTasks,
  batch_size: ppo.batch_size,
  mini_batches: ppo.mini_batches,
  ppo_epochs: ppo.ppo_epochs,
  max_new_tokens: ppo.max_new_tokens,
  temperature: ppo.temperature,
  learning_rate: ppo.learning_rate,
  kl_coef: ppo.kl_coef,
  kl_estimator: ppo.kl_estimator,
  clip_range: ppo.clip_range,
  value_clip_range: ppo.value_clip_range,
  vf_coef: ppo.vf_coef,
  gamma: ppo.gamma,
  lam: ppo.lam,
  reward_timeout_s: ppo.reward_timeout_s,
  ...scoringFields,
  save_steps: z.number().int().positive().default(10).describe("Steps between checkpoints; a PPO step is a whole rollout, so save often"),
  logging_steps: ppo.logging_steps,
});

/**
 * A section with `variants`: the fields a reward variant of the stage (`<stage>_<preset>`)
 * sets differently, e.g. `prefs: {variants: {strength: {valid_pairs_per_prompt: 2}}}`; the
 * rest come from the section. Each variant is checked as a whole section at load time.
 */
const variants = z
  .partialRecord(z.enum(REWARD_PRESETS), z.record(z.string(), z.unknown()))
  .default({})
  .describe("Fields that differ for a reward variant of this stage (`<stage>_<preset>`), by preset: variants: {strength: {...}}; the others come from this section");

/** Checks each variant as a whole section (its fields over the section's), naming the field. */
function checkVariants(section: z.ZodObject) {
  return (value: { variants: Partial<Record<string, Record<string, unknown>>> }, ctx: z.RefinementCtx): void => {
    const { variants: byPreset, ...base } = value;
    for (const [preset, fields] of Object.entries(byPreset)) {
      const merged = section.safeParse({ ...base, ...fields });
      if (merged.success) continue;
      for (const issue of merged.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: ["variants", preset, ...issue.path] });
    }
  };
}

export const rftConfigSchema = rftSectionSchema.extend({ variants }).superRefine(checkVariants(rftSectionSchema));
export const prefsConfigSchema = prefsSectionSchema.extend({ variants }).superRefine(checkVariants(prefsSectionSchema));
export const dpoConfigSchema = dpoSectionSchema.extend({ variants }).superRefine(checkVariants(dpoSectionSchema));
export const grpoConfigSchema = grpoSectionSchema.extend({ variants }).superRefine(checkVariants(grpoSectionSchema));
export const ppoConfigSchema = ppoSectionSchema.extend({ variants }).superRefine(checkVariants(ppoSectionSchema));

/** Each section without its variants: what one stage (or variant) runs with. */
export const trainSectionSchemas = { rft: rftSectionSchema, prefs: prefsSectionSchema, dpo: dpoSectionSchema, ppo: ppoSectionSchema, grpo: grpoSectionSchema };

/** The four sections, ready to spread into the run config schema. */
export const trainConfigSections = {
  rft: rftConfigSchema.prefault({}).describe("Rejection-sampling fine-tuning: the model's own samples that reach min_reward, trained on in rounds"),
  prefs: prefsConfigSchema.prefault({}).describe("Preference pairs from the SFT model's own samples, ranked by the sandbox"),
  dpo: dpoConfigSchema.prefault({}).describe("DPO on the preference pairs, starting from the SFT model"),
  ppo: ppoConfigSchema.prefault({}).describe("PPO with a value head on execution rewards, starting from the SFT model"),
  grpo: grpoConfigSchema.prefault({}).describe("GRPO on execution rewards, starting from the SFT model"),
};

export type PrefsConfig = z.output<typeof prefsSectionSchema>;
export type RftConfig = z.output<typeof rftSectionSchema>;
export type DpoConfig = z.output<typeof dpoSectionSchema>;
export type GrpoConfig = z.output<typeof grpoSectionSchema>;
export type PpoConfig = z.output<typeof ppoSectionSchema>;
export type TrainSection = keyof typeof trainConfigSections;
