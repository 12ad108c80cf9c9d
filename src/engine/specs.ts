/**
 * The spec of every engine job: what `runEngineJob` writes to the spec file and the Python
 * job validates again (python/testtune_engine/jobs/<job>.py declares the same fields and
 * defaults; test/engine/specs.test.ts checks that both sides agree).
 * Field names are snake_case because the Python side reads the same JSON.
 */
import { z } from "zod";

export const SPEC_VERSION = 1;

const version = z.literal(SPEC_VERSION).default(SPEC_VERSION).describe("Spec format version; the engine refuses any other");
const seed = z.number().int().nonnegative().default(0).describe("Seeds Python's, NumPy's and PyTorch's generators: same seed, same result");
const positiveInt = (fallback: number) => z.number().int().positive().default(fallback);
const fraction = (fallback: number) => z.number().min(0).lt(1).default(fallback);

/** Who samples: the engine's own batched sampler (any device) or vLLM (CUDA only, `testtune setup --extras vllm`). */
export const samplingBackend = z
  .enum(["engine", "vllm"])
  .default("engine")
  .describe("engine: testtune's sampler on torch, any device; vllm: vLLM's paged-attention engine for large models, CUDA only (testtune setup --extras vllm), refused where it cannot run");

export const pretrainSpecSchema = z.strictObject({
  version,
  job: z.literal("pretrain").default("pretrain"),
  corpus: z.string().min(1).describe("JSONL corpus: a `text` field, or `prompt` and `completion` fields, per line; trains the tokenizer and the model"),
  output_dir: z.string().min(1).describe("Hugging Face model directory to write (config, weights, tokenizer)"),
  seed,
  vocab_size: z.number().int().min(259).default(2048).describe("BPE vocabulary size; small keeps the embedding (most of a tiny model) small"),
  min_frequency: positiveInt(2).describe("A BPE merge must occur at least this often in the corpus"),
  hidden_size: positiveInt(128).describe("Model width; the default keeps the model trainable on a CPU in minutes"),
  num_layers: positiveInt(2).describe("Transformer blocks"),
  num_heads: positiveInt(4).describe("Attention heads; must divide hidden_size"),
  num_kv_heads: positiveInt(2).describe("Key/value heads (grouped-query attention as in Llama 2/3, Qwen2); must divide num_heads"),
  intermediate_size: positiveInt(384).describe("MLP width; about 8/3 x hidden_size, Llama's SwiGLU ratio"),
  max_position_embeddings: positiveInt(2048).describe("Longest sequence the model accepts (prompt + completion)"),
  steps: z.number().int().nonnegative().default(0).describe("Causal-LM training steps on the corpus; 0 only initialises the model"),
  batch_size: positiveInt(8).describe("Blocks per training step"),
  block_size: positiveInt(256).describe("Tokens per training block; the corpus is packed into blocks"),
  learning_rate: z.number().positive().default(1e-3).describe("Peak learning rate; tiny models from scratch take high rates (nanoGPT's small configs use 1e-3)"),
  warmup_ratio: fraction(0.05).describe("Fraction of the steps with a linear warmup, before cosine decay"),
  logging_steps: positiveInt(10).describe("Steps between metrics events"),
  save_steps: positiveInt(100).describe("Steps between checkpoints (removed once the model is saved)"),
});

export const loraSpecSchema = z.strictObject({
  r: positiveInt(16).describe("LoRA rank (default from TRL's ModelConfig)"),
  alpha: positiveInt(32).describe("LoRA alpha: the update is scaled by alpha / r (default from TRL's ModelConfig)"),
  dropout: fraction(0.05).describe("Dropout on the LoRA path (default from TRL's ModelConfig)"),
  target_modules: z
    .array(z.string().min(1))
    .min(1)
    .default(["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
    .describe("Modules that get adapters: every linear projection, as QLoRA (Dettmers et al., 2023) found needed to match full fine-tuning"),
});

export const sftSpecSchema = z.strictObject({
  version,
  job: z.literal("sft").default("sft"),
  base_model: z.string().min(1).describe("Hugging Face model directory to fine-tune"),
  data: z.string().min(1).describe("JSONL of {prompt, completion}; the loss is on completion tokens only"),
  output_dir: z.string().min(1).describe("Checkpoints go here while training, the result to <output_dir>/final"),
  adapter: z.string().min(1).nullable().default(null).describe("A LoRA adapter to start from: trained further (method lora) or merged into the base first (method full)"),
  method: z.enum(["lora", "full"]).default("lora").describe("lora trains a small adapter; full trains every weight"),
  lora: loraSpecSchema.prefault({}).describe("LoRA settings (used with method lora)"),
  max_steps: z.number().int().positive().nullable().default(null).describe("Optimizer steps; when set it overrides epochs"),
  epochs: z.number().positive().default(1).describe("Passes over the data (when max_steps is null)"),
  batch_size: positiveInt(8).describe("Pairs per device per step"),
  grad_accum: positiveInt(1).describe("Gradient accumulation: effective batch = batch_size x grad_accum x devices"),
  learning_rate: z
    .number()
    .positive()
    .nullable()
    .default(null)
    .describe("Peak learning rate; null picks 2e-4 for LoRA (QLoRA paper, 7B-13B models) and 2e-5 for full fine-tuning (TRL's default)"),
  warmup_ratio: fraction(0.03).describe("Fraction of the steps with a linear warmup, before cosine decay"),
  max_length: positiveInt(1024).describe("Tokens of prompt + completion; longer pairs are cut at the end"),
  save_steps: positiveInt(50).describe("Steps between checkpoints (what an interrupted run resumes from)"),
  save_total_limit: positiveInt(2).describe("Checkpoints kept; older ones are deleted"),
  logging_steps: positiveInt(10).describe("Steps between metrics events"),
  seed,
  dev_data: z.string().min(1).nullable().default(null).describe("Held-out JSONL of {prompt, completion}: its loss is measured every eval_steps"),
  eval_steps: positiveInt(50).describe("Steps between dev-loss evaluations (with dev_data, a checkpoint is saved at each)"),
  patience: z.number().int().positive().nullable().default(null).describe("Early stopping: evaluations without a lower dev loss before training stops, keeping the best checkpoint as final; null never stops early"),
});

export const generateSpecSchema = z.strictObject({
  version,
  job: z.literal("generate").default("generate"),
  model: z.string().min(1).describe("Hugging Face model directory to sample from"),
  input: z.string().min(1).describe("JSONL of {task_id, prompt}"),
  output: z.string().min(1).describe("JSONL of {task_id, sample_index, completion, finish_reason, num_tokens}; appended to, so a re-run resumes"),
  adapter: z.string().min(1).nullable().default(null).describe("A LoRA adapter directory, merged into the model before sampling"),
  num_samples: positiveInt(1).describe("Samples per prompt (n of pass@k)"),
  temperature: z.number().min(0).default(0.8).describe("Sampling temperature; 0.8 is the Codex paper's best for pass@k with many samples, 0.2 for pass@1, 0 is greedy"),
  top_p: z.number().gt(0).max(1).default(0.95).describe("Nucleus sampling mass (the Codex paper's 0.95)"),
  max_new_tokens: positiveInt(512).describe("Longest completion in tokens"),
  batch_size: positiveInt(128).describe("Sequences per forward pass, from several prompts; the samples do not depend on it. The KV cache holds batch_size x (longest prompt + max_new_tokens) positions: lower it for large models"),
  seed,
  backend: samplingBackend,
});

export const engineSpecSchemas = {
  pretrain: pretrainSpecSchema,
  sft: sftSpecSchema,
  generate: generateSpecSchema,
} as const;

export type EngineJob = keyof typeof engineSpecSchemas;
export const ENGINE_JOBS = Object.keys(engineSpecSchemas) as EngineJob[];

/** A job's spec as callers write it: fields with defaults may be left out. */
export type EngineSpecInput<J extends EngineJob> = z.input<(typeof engineSpecSchemas)[J]>;
/** A job's complete spec, as written to the spec file. */
export type EngineSpec<J extends EngineJob> = z.output<(typeof engineSpecSchemas)[J]>;

export type PretrainSpec = z.output<typeof pretrainSpecSchema>;
export type SftSpec = z.output<typeof sftSpecSchema>;
export type GenerateSpec = z.output<typeof generateSpecSchema>;
