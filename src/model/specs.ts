/**
 * Specs of the model import and export jobs (python/testtune_engine/jobs/import_gguf.py and
 * export_gguf.py declare the same fields and defaults; test/model/specs.test.ts checks both
 * sides agree). Field names are snake_case because the Python side reads the same JSON.
 */
import { z } from "zod";
import { SPEC_VERSION } from "../engine/specs.js";

const version = z.literal(SPEC_VERSION).default(SPEC_VERSION).describe("Spec format version; the engine refuses any other");
const prompts = z.string().min(1).nullable().default(null).describe("JSONL prompt set ({id, prompt, chat?}) for the llama.cpp check; null skips the greedy reference");
const maxNewTokens = z.number().int().positive().default(32).describe("Greedy tokens per prompt in the reference that llama.cpp is compared with");

/** The types convert_hf_to_gguf writes itself (without llama.cpp's quantize tool). */
export const GGUF_QUANTS = ["f32", "f16", "bf16", "q8_0"] as const;
export type GgufQuant = (typeof GGUF_QUANTS)[number];

export const importGgufSpecSchema = z.strictObject({
  version,
  job: z.literal("import-gguf").default("import-gguf"),
  gguf: z.string().min(1).describe("The GGUF file to import (any architecture transformers maps from GGUF)"),
  output_dir: z.string().min(1).describe("The Hugging Face model directory to write (fp32 safetensors, config, tokenizer, chat template, provenance.json)"),
  prompts,
  max_new_tokens: maxNewTokens,
});

export const exportGgufSpecSchema = z.strictObject({
  version,
  job: z.literal("export-gguf").default("export-gguf"),
  model: z.string().min(1).describe("The Hugging Face model directory to convert (a LoRA adapter must be merged first)"),
  output_dir: z.string().min(1).describe("Where the GGUF files, conversion.json and check/ go"),
  name: z.string().min(1).regex(/^[^/]+$/, "a file name without '/'").default("model").describe("File names: <name>-<quant>.gguf"),
  quants: z.array(z.enum(GGUF_QUANTS)).min(1).default(["f16", "q8_0"]).describe("Output types; f16 is verified token for token against the Hugging Face model"),
  prompts,
  max_new_tokens: maxNewTokens,
});

export const modelSpecSchemas = {
  "import-gguf": importGgufSpecSchema,
  "export-gguf": exportGgufSpecSchema,
} as const;

export type ModelJob = keyof typeof modelSpecSchemas;
export const MODEL_JOBS = Object.keys(modelSpecSchemas) as ModelJob[];
