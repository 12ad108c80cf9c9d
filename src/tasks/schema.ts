/**
 * The Task: one module under test and what we know about it. Every source adapter produces
 * Tasks; every later stage (prompts, sandbox, training, evaluation) reads only Tasks.
 * JSON field names are snake_case so the Python engine reads the same files.
 */
import { z } from "zod";

export const TASK_SPLITS = ["train", "eval", "test"] as const;

/** What a task asks of the model; src/kinds/<kind>.ts defines each (docs/kinds.md). */
export const TASK_KINDS = ["unit_test", "solve", "complete", "bugfix", "docstring", "explain"] as const;
export type KindName = (typeof TASK_KINDS)[number];

export const taskSchema = z.object({
  id: z.string().min(1).describe("Unique id, prefixed by the source, e.g. humaneval/0, tinytests/t1-00042"),
  source: z.string().min(1).describe("Adapter that produced the task: humaneval, mbpp, kodcode, testgeneval, corpus, tinytests"),
  code: z.string().min(1).describe("The module under test (the correct reference module for every kind): full Python source"),
  module: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default("solution").describe("Module name the tests import the code as"),
  entry_points: z.array(z.string()).default([]).describe("Functions or classes the tests should exercise"),
  description: z.string().optional().describe("Natural-language description of the code, when the source has one"),
  tests: z.string().optional().describe("Reference pytest file that passes on the code, when the source has one"),
  category: z.string().optional().describe("Source-specific category (TinyTests tier, KodCode subset, ...)"),
  split: z.enum(TASK_SPLITS).optional().describe("Deterministic split the task belongs to"),
  kind: z.enum(TASK_KINDS).optional().describe("What the task asks for; absent means unit_test (write tests for code)"),
  given: z.string().optional().describe("The code shown to the model when it differs from code: bugfix the buggy code, complete the signature and docstring, docstring the function without it"),
  answer: z.string().optional().describe("The reference answer when it is not code: docstring the docstring text, explain a reference explanation"),
  metadata: z.record(z.string(), z.unknown()).default({}).describe("Anything else the source carries, kept verbatim; bugfix: the injected bug as metadata.bug {operator, line}"),
});

export type Task = z.output<typeof taskSchema>;
export type TaskInput = z.input<typeof taskSchema>;

/** A generated completion for a task: the test file, or text to extract it from. */
export const sampleSchema = z.object({
  task_id: z.string().min(1),
  completion: z.string(),
  sample_index: z.number().int().nonnegative().optional(),
  model: z.string().optional(),
});

export type Sample = z.output<typeof sampleSchema>;
