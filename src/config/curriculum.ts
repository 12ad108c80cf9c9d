/**
 * Curriculum stages of SFT (`sft.stages` in the run config): an ordered list of SFT stages,
 * each starting from the previous stage's model (or from the base model), each with its own
 * data, learning rate, length and length filter. The staged recipe this follows trains A on a
 * large general set, B on harder, real test files from A's adapter, and C on failure -> fix
 * traces at a low rate (lr 5e-5, a few hundred steps) with early stopping on a dev loss.
 */
import { z } from "zod";

/** Stage C's defaults: a low rate and a few hundred steps, on top of a model that already writes tests. */
export const TRACES_LEARNING_RATE = 5e-5;
export const TRACES_MAX_STEPS = 300;

const tracesSchema = z.strictObject({
  file: z.string().optional().describe("A traces JSONL ({task_id, code, failed_test, failure_log, fixed_test, round, reward}, e.g. from 'testtune refine' or an agent's logs); absent = collect them by running refine with the previous stage's model on the stage's train tasks"),
  rounds: z.number().int().positive().default(2).describe("Repair rounds when collecting"),
  max_tasks: z.number().int().positive().default(400).describe("Train tasks refine runs on when collecting (a seeded choice)"),
  n: z.number().int().positive().default(2).describe("Test files sampled per task in round 0 when collecting"),
  temperature: z.number().min(0).default(0.8).describe("Sampling temperature when collecting"),
  max_new_tokens: z.number().int().positive().default(256).describe("Longest test file when collecting"),
  synthetic_per_task: z.number().int().min(0).default(0).describe("Also make this many synthetic traces per task of the same max_tasks tasks: the reference test file with one wrong expected value, its pytest log, and the reference as the fix, checked in the sandbox (as 'testtune data traces'); 0 = none"),
  plain_pairs: z.boolean().default(false).describe("Also train each fixed file on the plain prompt (the task alone), besides the repair prompt"),
});

const earlyStoppingSchema = z.strictObject({
  patience: z.number().int().positive().default(3).describe("Dev-loss evaluations without improvement before the stage stops (the best checkpoint is kept)"),
  dev_fraction: z.number().gt(0).lt(1).default(0.1).describe("Fraction of the stage's pairs held out as the dev set (a seeded choice)"),
  eval_steps: z.number().int().positive().default(50).describe("Steps between dev-loss evaluations"),
});

export const curriculumStageSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a letter, then letters, digits, _ or -").describe("The stage's name: its directory sft/<name> and its model 'sft/<name>' in eval.models"),
    from: z.enum(["previous", "base"]).default("previous").describe("previous: start from the stage before it (the first stage starts from the base model); base: start afresh from the base model"),
    tiers: z.array(z.number().int().min(1).max(5)).optional().describe("Only the train tasks of these TinyTests tiers"),
    tasks_file: z.string().optional().describe("A tasks.jsonl (from 'testtune data prepare') to train on instead of the run's train split"),
    traces: tracesSchema.optional().describe("Train on failure -> fix traces with the repair prompt (stage C) instead of reference test files"),
    learning_rate: z.number().positive().optional().describe(`Peak learning rate (default: sft.learning_rate; ${TRACES_LEARNING_RATE} for a traces stage)`),
    max_steps: z.number().int().positive().optional().describe(`Optimizer steps (default: sft.max_steps; ${TRACES_MAX_STEPS} for a traces stage; ignored when epochs is set)`),
    epochs: z.number().positive().optional().describe("Passes over the stage's pairs instead of max_steps"),
    batch_size: z.number().int().positive().optional().describe("Pairs per step (default: sft.batch_size)"),
    max_tokens: z.number().int().positive().optional().describe("Drop pairs whose prompt + completion is longer than this many tokens of the model's own tokenizer (default: keep all; sft.max_length still truncates)"),
    early_stopping: earlyStoppingSchema.optional().describe("Hold out a dev set and stop when its loss stops falling"),
  })
  .refine((s) => s.max_steps === undefined || s.epochs === undefined, { message: "give max_steps or epochs, not both", path: ["epochs"] });

export type CurriculumStage = z.output<typeof curriculumStageSchema>;

export const curriculumSchema = z
  .array(curriculumStageSchema)
  .default([])
  .refine((stages) => new Set(stages.map((s) => s.name)).size === stages.length, { message: "stage names must be unique" })
  .describe("Curriculum: SFT stages run in order, each from the previous stage's model; empty = one SFT stage on the run's train pairs");

/** The model name eval uses for a curriculum stage. */
export const curriculumModelName = z.string().regex(/^sft\/[A-Za-z][A-Za-z0-9_-]*$/, "a model stage, or sft/<curriculum stage>");
