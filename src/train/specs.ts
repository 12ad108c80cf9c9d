/**
 * Specs of the training jobs beyond SFT: dpo, grpo, ppo and merge. They mirror the Python
 * dataclasses in python/testtune_engine/jobs/<job>.py and rl/job_spec.py field for field,
 * with the same defaults (test/train/specs.test.ts checks both sides agree); the reasons and
 * sources of the defaults are in those files and in docs/training.md.
 * Field names are snake_case because the Python side reads the same JSON.
 */
import { z } from "zod";
import { loraSpecSchema, SPEC_VERSION } from "../engine/specs.js";

const version = z.literal(SPEC_VERSION).default(SPEC_VERSION).describe("Spec format version; the engine refuses any other");
const positiveInt = (fallback: number) => z.number().int().positive().default(fallback);
const fraction = (fallback: number) => z.number().min(0).lt(1).default(fallback);

/** What dpo, grpo and ppo share: the start model, the adapter trained on it, checkpointing. */
const trainingFields = {
  model: z.string().min(1).describe("Hugging Face model directory to start from (the reference the job regularises against)"),
  output_dir: z.string().min(1).describe("Checkpoints go here while training, the adapter (or model) to <output_dir>/final"),
  adapter: z.string().min(1).nullable().default(null).describe("A LoRA adapter merged into the model first, e.g. the SFT stage's"),
  lora: loraSpecSchema.prefault({}).describe("The new LoRA adapter this job trains"),
  load_in_4bit: z.boolean().default(false).describe("QLoRA: load the frozen base in 4-bit NF4 (needs bitsandbytes and CUDA; warns and falls back otherwise)"),
  save_steps: positiveInt(50).describe("Steps between checkpoints (what an interrupted run resumes from)"),
  save_total_limit: positiveInt(2).describe("Checkpoints kept; older ones are deleted"),
  logging_steps: positiveInt(10).describe("Steps between metrics events"),
  seed: z.number().int().nonnegative().default(0).describe("Seeds sampling, data order and adapter initialisation: same seed, same result"),
};

/** What grpo and ppo share: prompts and the reward service that scores their completions. */
const rewardFields = {
  prompts: z.string().min(1).describe("JSONL of {task_id, prompt}; every task id must be known to the reward service"),
  reward_url: z.string().regex(/^https?:\/\//, "must be an http(s) URL").describe("The reward service's score endpoint, e.g. http://127.0.0.1:8787/v1/score"),
  reward_timeout_s: z.number().positive().default(300).describe("Longest wait for one batch's rewards; past it the job stops before the step changes the model"),
};

const learningRateByMethod = z
  .number()
  .positive()
  .nullable()
  .default(null)
  .describe("Peak learning rate; null picks TRL's default for full fine-tuning (1e-6) or ten times it for LoRA (1e-5)");

export const dpoSpecSchema = z.strictObject({
  version,
  job: z.literal("dpo").default("dpo"),
  ...trainingFields,
  data: z.string().min(1).describe("JSONL of {prompt, chosen, rejected} (what 'testtune prefs' writes)"),
  method: z.enum(["lora", "full"]).default("lora").describe("lora: the reference is the adapter disabled; full: a frozen copy of the start model"),
  beta: z.number().positive().default(0.1).describe("Strength of the pull towards the reference (the DPO paper's and TRL's default)"),
  loss_type: z.enum(["sigmoid", "ipo", "hinge"]).default("sigmoid").describe("sigmoid is DPO; ipo (Azar et al., 2023) and hinge (SLiC) are variants"),
  rpo_alpha: z
    .number()
    .min(0)
    .default(0)
    .describe("Weight of the chosen completion's mean token NLL added to the preference loss (RPO, Pang et al., 2024; they use 1); 0 is plain DPO"),
  max_steps: z.number().int().positive().nullable().default(null).describe("Optimizer steps; when set it overrides epochs"),
  epochs: z.number().positive().default(1).describe("Passes over the pairs (when max_steps is null)"),
  batch_size: positiveInt(8).describe("Pairs per device per step (TRL's default)"),
  grad_accum: positiveInt(1).describe("Gradient accumulation: effective batch = batch_size x grad_accum x devices"),
  learning_rate: learningRateByMethod,
  warmup_ratio: fraction(0.1).describe("Fraction of the steps with a linear warmup, then linear decay (Zephyr's DPO recipe)"),
  max_length: positiveInt(1024).describe("Tokens of prompt + completion; longer pairs are cut at the end (TRL's default)"),
});

export const grpoSpecSchema = z.strictObject({
  version,
  job: z.literal("grpo").default("grpo"),
  ...trainingFields,
  ...rewardFields,
  method: z.enum(["lora", "full"]).default("lora").describe("lora: the KL reference is the adapter disabled; full: TRL loads a reference copy"),
  max_steps: positiveInt(100).describe("Optimizer steps"),
  num_generations: z.number().int().min(2).default(8).describe("Completions per prompt: the group each advantage is relative to (TRL's default)"),
  batch_size: positiveInt(8).describe("Completions per device per step; batch_size x grad_accum must be a multiple of num_generations"),
  grad_accum: positiveInt(1).describe("Gradient accumulation steps (also the steps one generation batch is spread over)"),
  max_completion_length: positiveInt(256).describe("Longest completion in tokens; a test file for a small module fits"),
  temperature: z.number().positive().default(1).describe("Sampling temperature; 1 samples the policy itself (TRL's default)"),
  beta: z.number().min(0).default(0.04).describe("KL penalty against the reference (DeepSeekMath's 0.04; 0 turns it off, TRL's current default)"),
  epsilon: z.number().gt(0).lt(1).default(0.2).describe("Clip range of the importance ratio (PPO's)"),
  loss_type: z.enum(["grpo", "dapo", "dr_grpo"]).default("dapo").describe("Loss normalisation; dapo (token-level, Yu et al., 2025) is TRL's default"),
  learning_rate: learningRateByMethod,
  warmup_ratio: fraction(0).describe("Fraction of the steps with a linear warmup (TRL's default: none)"),
  use_vllm: z.boolean().default(false).describe("Generate the groups with TRL's colocated vLLM engine instead of model.generate(); CUDA only (testtune setup --extras vllm)"),
  group_baseline: z
    .enum(["group", "same_checks"])
    .default("group")
    .describe("An advantage's baseline: the group's mean reward (TRL's), or the mean of the group's samples writing as many checks (no pressure to write fewer; docs/rewards.md)"),
  scale_rewards: z
    .enum(["group", "batch", "none"])
    .default("group")
    .describe("Advantages divided by the group's reward std (TRL's default), the batch's, or not at all (keeps the reward's scale: a small reward stays a small signal; Dr. GRPO)"),
});

export const ppoSpecSchema = z.strictObject({
  version,
  job: z.literal("ppo").default("ppo"),
  ...trainingFields,
  ...rewardFields,
  logging_steps: positiveInt(1).describe("Steps between metrics events; a PPO step is a whole rollout, so each is reported"),
  max_steps: positiveInt(100).describe("PPO steps: one rollout batch and its updates each"),
  batch_size: positiveInt(8).describe("Prompts per rollout and process, one response each"),
  mini_batches: positiveInt(1).describe("Updates per PPO epoch (TRL's num_mini_batches); at most batch_size"),
  ppo_epochs: positiveInt(4).describe("Passes over each rollout (TRL: 4; verl: 1)"),
  max_prompt_tokens: positiveInt(768).describe("Longer prompts keep their last tokens"),
  max_new_tokens: positiveInt(256).describe("Longest response in tokens (TRL's response_length is 53, too short for a test file)"),
  temperature: z.number().positive().default(1).describe("Rollout temperature (verl: 1.0; TRL: 0.7)"),
  learning_rate: z.number().positive().default(1e-5).describe("Adam rate for the adapter and value head (verl's 1e-6 actor rate is for full fine-tuning; LoRA wants about 10x)"),
  kl_coef: z.number().min(0).default(0.05).describe("Per-token KL penalty in the reward (TRL; verl: 0.001, off by default)"),
  kl_estimator: z.enum(["k1", "k2", "k3"]).default("k1").describe("KL estimator from Schulman's 'Approximating KL Divergence' (TRL's and verl's default: k1)"),
  clip_range: z.number().gt(0).lt(1).default(0.2).describe("Clip range of the surrogate's probability ratio (TRL and verl)"),
  value_clip_range: z.number().positive().default(0.2).describe("How far a value may move from its rollout value before clipping (TRL; verl: 0.5)"),
  vf_coef: z.number().min(0).default(0.1).describe("Weight of the value loss (TRL)"),
  gamma: z.number().min(0).max(1).default(1).describe("Discount within a response (TRL and verl: none)"),
  lam: z.number().min(0).max(1).default(0.95).describe("GAE lambda (TRL; verl: 1.0)"),
  whiten_advantages: z.boolean().default(true).describe("Normalise advantages over the batch (TRL does)"),
  max_grad_norm: z.number().positive().default(1).describe("Gradient clipping norm (verl's grad_clip)"),
});

export const mergeSpecSchema = z.strictObject({
  version,
  job: z.literal("merge").default("merge"),
  model: z.string().min(1).describe("The base model directory the adapter was trained on"),
  adapter: z.string().min(1).describe("The LoRA adapter directory to fold in"),
  output_dir: z.string().min(1).describe("The merged model directory to write (safetensors and tokenizer)"),
  max_shard_size: z.string().min(1).default("5GB").describe("Largest safetensors shard (transformers' default)"),
});

export const trainSpecSchemas = {
  dpo: dpoSpecSchema,
  grpo: grpoSpecSchema,
  ppo: ppoSpecSchema,
  merge: mergeSpecSchema,
} as const;

export type TrainJob = keyof typeof trainSpecSchemas;
export const TRAIN_JOBS = Object.keys(trainSpecSchemas) as TrainJob[];

export type DpoSpec = z.output<typeof dpoSpecSchema>;
export type GrpoSpec = z.output<typeof grpoSpecSchema>;
export type PpoSpec = z.output<typeof ppoSpecSchema>;
export type MergeSpec = z.output<typeof mergeSpecSchema>;
