/**
 * What `testtune eval --model SPEC` accepts, and the short name each model gets in results.
 *
 *   DIR                      a Hugging Face model directory, or a PEFT adapter directory (its
 *                            base from adapter_config.json)                   -> name: DIR's basename
 *   BASE+ADAPTER             a base model directory and an adapter for it     -> ADAPTER's basename
 *   RUN_DIR/STAGE            a stage of a testtune run (runs/x/sft, runs/x/base)  -> x-STAGE
 *   FILE.gguf                a GGUF file, run by llama.cpp in-process          -> FILE without .gguf
 *   http(s)://HOST/v1#NAME   an OpenAI-compatible server and its served model  -> NAME
 *   NAME=SPEC                any of the above, named NAME
 *
 * Names are made of letters, digits, '.', '_' and '-' (they name directories); other
 * characters of a default name become '-'.
 */
import { existsSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { readRunConfig, resolveModelSource } from "../model/source.js";
import { runPromptOptions } from "../pipeline/prompting.js";
import { findChatTemplate } from "../prompts/chat-template.js";
import type { PromptOptions } from "../prompts/template.js";

export type ModelSpec =
  /** `prompt`: the prompt form the model takes (its chat template, or a run's choice). */
  | { kind: "hf"; name: string; spec: string; model: string; adapter?: string; prompt: PromptOptions }
  | { kind: "gguf"; name: string; spec: string; path: string }
  | { kind: "openai"; name: string; spec: string; baseUrl: string; servedModel: string };

const NAME = /^[A-Za-z0-9._-]+$/;
const FORMS = "--model takes DIR (a Hugging Face model or adapter directory), BASE+ADAPTER, RUN_DIR/STAGE (e.g. runs/x/sft), FILE.gguf or http://HOST:PORT/v1#served-model, optionally as NAME=SPEC (docs/eval.md)";

const isDir = (path: string): boolean => existsSync(path) && statSync(path).isDirectory();

/** A default name made safe for a directory. */
export function safeName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
  return name === "" || name === "." || name === ".." ? "model" : name;
}

/** Splits `NAME=SPEC`; a SPEC alone has no name. a path or URL whose part before '=' holds '/', ':', '#' or '+' is a SPEC alone. */
export function splitName(text: string): { name?: string; spec: string } {
  const match = /^([^=/:#+]+)=(.+)$/.exec(text);
  if (match === null) return { spec: text };
  const [, name, spec] = match as unknown as [string, string, string];
  if (!NAME.test(name)) throw new UsageError(`model name '${name}' in --model ${text} may hold only letters, digits, '.', '_' and '-'`, FORMS);
  return { name, spec };
}

function parseEndpoint(spec: string, name: string | undefined): ModelSpec {
  const hash = spec.indexOf("#");
  const served = hash === -1 ? "" : spec.slice(hash + 1);
  if (served === "") throw new UsageError(`--model ${spec}: an endpoint needs the served model's name after '#'`, "e.g. --model http://127.0.0.1:8000/v1#qwen2.5-coder (the name the server's /v1/models lists)");
  const baseUrl = spec.slice(0, hash);
  try {
    new URL(baseUrl);
  } catch {
    throw new UsageError(`--model ${spec}: '${baseUrl}' is not a URL`, FORMS);
  }
  return { kind: "openai", name: name ?? safeName(served), spec, baseUrl, servedModel: served };
}

async function parseLocal(spec: string, name: string | undefined): Promise<ModelSpec> {
  if (spec.endsWith(".gguf")) {
    const path = resolve(spec);
    if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`--model ${spec}: no such GGUF file`, FORMS);
    return { kind: "gguf", name: name ?? safeName(basename(path, ".gguf")), spec, path };
  }
  const plus = spec.lastIndexOf("+");
  if (plus > 0 && isDir(spec.slice(0, plus)) && isDir(spec.slice(plus + 1))) {
    const [model, adapter] = [resolve(spec.slice(0, plus)), resolve(spec.slice(plus + 1))];
    if (!existsSync(resolve(adapter, "adapter_config.json"))) throw new UsageError(`--model ${spec}: ${adapter} is not a PEFT adapter (no adapter_config.json)`, FORMS);
    return { kind: "hf", name: name ?? safeName(basename(adapter)), spec, model, adapter, prompt: chatPrompt(model) };
  }
  if (!existsSync(spec)) throw new UsageError(`--model ${spec}: no such file or directory`, FORMS);
  const source = await resolveModelSource(spec, { quiet: true }).catch((error: unknown) => {
    if (error instanceof UsageError) throw new UsageError(`--model ${spec}: not a model directory, an adapter directory, a run's stage or a .gguf file`, FORMS);
    throw error;
  });
  const runConfig = source.run === undefined ? undefined : readRunConfig(source.run.dir);
  // A run's stage takes the prompts its run trained on; any other model its own chat template.
  const prompt = source.run !== undefined && runConfig !== undefined ? runPromptOptions(source.run.dir, runConfig) : chatPrompt(source.model);
  return { kind: "hf", name: name ?? safeName(source.name), spec, model: source.model, ...(source.adapter === undefined ? {} : { adapter: source.adapter }), prompt };
}

function chatPrompt(modelDir: string): PromptOptions {
  const chat = findChatTemplate(modelDir);
  return chat === undefined ? {} : { chat };
}

/** One --model value: its kind, what it points at and its name. Errors are UsageErrors naming the value and the forms. */
export async function parseModelSpec(text: string): Promise<ModelSpec> {
  const { name, spec } = splitName(text.trim());
  if (spec === "") throw new UsageError("--model is empty", FORMS);
  return /^https?:\/\//i.test(spec) ? parseEndpoint(spec, name) : parseLocal(spec, name);
}

/** Every --model value; two models with one name are an error (their results would share a directory). */
export async function parseModelSpecs(texts: readonly string[]): Promise<ModelSpec[]> {
  if (texts.length === 0) throw new UsageError("give at least one --model", FORMS);
  const specs: ModelSpec[] = [];
  for (const text of texts) specs.push(await parseModelSpec(text));
  const seen = new Map<string, string>();
  for (const s of specs) {
    const other = seen.get(s.name);
    if (other !== undefined) throw new UsageError(`--model ${other} and --model ${s.spec} are both named '${s.name}'`, "name one of them: --model NAME=SPEC");
    seen.set(s.name, s.spec);
  }
  return specs;
}

