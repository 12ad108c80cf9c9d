/**
 * `testtune eval` as a library call: each model samples n completions per task through its
 * backend (engine, llama.cpp or an OpenAI-compatible server), the samples run in the sandbox,
 * and DIR gets results.json (schema version 2, docs/results.md: the same file the pipeline's
 * eval stage writes, with the fields below added per model), eval.json (what it was made with)
 * and DIR/<model>/{samples,scores}.jsonl. Re-running the same call resumes (src/eval/generation.ts,
 * score-files.ts); Ctrl-C (the signal) keeps what was written.
 *
 * Added per model in results.json: `backend`, `compile_rate`, `generation` (tokens per sample,
 * latency p50/p95, tokens/s: generation.ts), `per_category` and `per_difficulty` (breakdown.ts).
 */
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { promptRecord } from "../pipeline/prompting.js";
import type { RewardPreset } from "../quality/rewards.js";
import { kindOf } from "../kinds/index.js";
import { kindPrompt } from "../kinds/prompt.js";
import type { PromptOptions } from "../prompts/template.js";
import { SandboxPool } from "../sandbox/pool.js";
import type { Task } from "../tasks/schema.js";
import { writeJson } from "../util/jsonl.js";
import { EngineBackend } from "./backends/engine.js";
import { GgufBackend } from "./backends/gguf.js";
import { OpenAiBackend, type OpenAiApi } from "./backends/openai.js";
import type { BackendKind, GenerationBackend, SampleRequest, SamplingParams } from "./backends/types.js";
import { compileRate, groupTable, GROUPINGS } from "./breakdown.js";
import { checkResume, modelHash, tasksHash, versions, writeRecord, type EvalIdentity, type ModelRecord } from "./eval-record.js";
import { generationMetrics, sampleModel } from "./generation.js";
import type { ModelSpec } from "./model-spec.js";
import type { ModelResults } from "./results.js";
import { scoreModel } from "./score-model.js";
import { summarize, type EvalSummary } from "./summary.js";

export interface BackendSettings {
  /** Engine: sequences per forward pass. */
  batchSize?: number;
  /** GGUF: llama.cpp threads and parallel sequences. */
  threads?: number;
  sequences?: number;
  /** OpenAI-compatible: API, requests in flight, per-request timeout. */
  api: OpenAiApi;
  concurrency?: number;
  requestTimeoutS?: number;
}

export interface EvaluateOptions {
  models: readonly ModelSpec[];
  tasks: readonly Task[];
  tasksFile: string;
  benchmark?: string;
  out: string;
  n: number;
  ks: number[];
  params: SamplingParams;
  backend: BackendSettings;
  baseline?: string;
  scoring: { reward: RewardPreset; mutants: boolean; coverage: boolean; timeoutS: number; strongAt: number; workers?: number; isolation?: "bubblewrap" | "none" };
  /** The command line, for the record. */
  command: string[];
  quiet?: boolean;
  signal?: AbortSignal;
  log: (line: string) => void;
}

export type EvaluateOutcome = { interrupted: true } | { interrupted: false; summary: EvalSummary; file: string };

function checkOptions(options: EvaluateOptions): void {
  if (!Number.isInteger(options.n) || options.n < 1) throw new UsageError(`--n must be a positive integer, got ${options.n}`);
  const bad = options.ks.find((k) => !Number.isInteger(k) || k < 1 || k > options.n);
  if (bad !== undefined) throw new UsageError(`--k ${bad}: each k must be an integer from 1 to --n (${options.n})`, "pass@k needs at least k samples per task: raise --n or drop that k");
  if (options.baseline !== undefined && !options.models.some((m) => m.name === options.baseline)) {
    throw new UsageError(`--baseline ${options.baseline} is not one of the models (${options.models.map((m) => m.name).join(", ")})`, "--baseline takes a model's name (docs/eval.md: how models are named)");
  }
  const p = options.params;
  if (!(p.temperature >= 0)) throw new UsageError(`--temperature must be >= 0 (0 is greedy), got ${p.temperature}`);
  if (!(p.top_p > 0 && p.top_p <= 1)) throw new UsageError(`--top-p must be in (0, 1], got ${p.top_p}`);
  if (!Number.isInteger(p.max_new_tokens) || p.max_new_tokens < 1) throw new UsageError(`--max-new-tokens must be a positive integer, got ${p.max_new_tokens}`);
  if (!Number.isInteger(p.seed)) throw new UsageError(`--seed must be an integer, got ${p.seed}`);
}

/** The backend each kind of model SPEC runs on. */
export const BACKEND_OF: Record<ModelSpec["kind"], BackendKind> = { hf: "engine", gguf: "gguf", openai: "openai" };

export interface OpenedModel {
  backend: GenerationBackend;
  prompt: PromptOptions;
}

/** The backend of a model SPEC and the prompt form its prompts take. */
export async function openBackend(spec: ModelSpec, settings: BackendSettings, dir: string, quiet: boolean): Promise<OpenedModel> {
  switch (spec.kind) {
    case "hf":
      return { backend: new EngineBackend({ model: spec.model, adapter: spec.adapter, workDir: dir, batchSize: settings.batchSize, quiet }), prompt: spec.prompt };
    case "gguf": {
      const backend = await GgufBackend.open({ path: spec.path, threads: settings.threads, sequences: settings.sequences });
      const chat = backend.chatTemplate();
      return { backend, prompt: chat === undefined ? {} : { chat } };
    }
    case "openai":
      // chat: the server applies the model's template to the instruction; completions: the plain prompt.
      return {
        backend: new OpenAiBackend({ baseUrl: spec.baseUrl, model: spec.servedModel, api: settings.api, concurrency: settings.concurrency, timeoutMs: settings.requestTimeoutS === undefined ? undefined : settings.requestTimeoutS * 1000 }),
        prompt: {},
      };
  }
}

/** What eval.json records of a model's prompts; a chat server renders them with its own template. */
function promptForm(spec: ModelSpec, opened: OpenedModel, api: OpenAiApi): Record<string, unknown> {
  return spec.kind === "openai" && api === "chat" ? { form: "chat", chat_template: "the server's" } : promptRecord(opened.prompt);
}

function resolvedPaths(spec: ModelSpec): Record<string, string | null> {
  if (spec.kind === "hf") return { model: spec.model, adapter: spec.adapter ?? null };
  if (spec.kind === "gguf") return { path: spec.path };
  return { base_url: spec.baseUrl, served_model: spec.servedModel };
}

/** Every (task, sample index) with its prompt: each task's kind words it (docs/kinds.md; unit_test when absent). */
export function sampleRequests(tasks: readonly Task[], n: number, prompt: PromptOptions): SampleRequest[] {
  return tasks.flatMap((task) => {
    const text = kindPrompt(task, prompt);
    const instruction = kindOf(task).instruction(task);
    return Array.from({ length: n }, (_, sample_index) => ({ task_id: task.id, sample_index, prompt: text, instruction, ...(prompt.system === undefined ? {} : { system: prompt.system }) }));
  });
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluateOutcome> {
  checkOptions(options);
  const { out, models, tasks } = options;
  const identity: EvalIdentity = {
    tasks: { file: options.tasksFile, benchmark: options.benchmark ?? null, count: tasks.length, sha256: tasksHash(tasks) },
    n: options.n,
    temperature: options.params.temperature,
    top_p: options.params.top_p,
    max_new_tokens: options.params.max_new_tokens,
    seed: options.params.seed,
    api: options.backend.api,
    scoring: { reward: options.scoring.reward, mutants: options.scoring.mutants, coverage: options.scoring.coverage, timeout_s: options.scoring.timeoutS, strong_at: options.scoring.strongAt },
  };
  const previous = checkResume(out, identity, models);
  const baseline = options.baseline ?? (models[0] as ModelSpec).name;
  const record = {
    format: 1 as const,
    created_at: previous?.created_at ?? new Date().toISOString(),
    updated_at: new Date().toISOString(),
    command: options.command,
    identity,
    ks: options.ks,
    baseline,
    models: [] as ModelRecord[],
    versions: await versions(models.some((m) => m.kind === "hf")),
  };
  // Sampling first, every model, so that an interruption loses no sandbox work.
  for (const spec of models) {
    const dir = join(out, spec.name);
    const opened = await openBackend(spec, options.backend, dir, options.quiet === true);
    try {
      record.models.push({ name: spec.name, kind: spec.kind, spec: spec.spec, resolved: resolvedPaths(spec), sha256: await modelHash(spec), prompt: promptForm(spec, opened, options.backend.api), backend: opened.backend.settings() });
      writeRecord(out, record);
      options.log(`${spec.name}: sampling ${options.n} per task for ${tasks.length} tasks (${BACKEND_OF[spec.kind]} backend)`);
      const sampled = await sampleModel({ backend: opened.backend, requests: sampleRequests(tasks, options.n, opened.prompt), params: options.params, dir, label: `sample ${spec.name}`, quiet: options.quiet, signal: options.signal });
      const last = record.models.at(-1) as ModelRecord;
      last.backend = opened.backend.settings();
      writeRecord(out, record);
      if (sampled.interrupted) return { interrupted: true };
    } finally {
      await opened.backend.close();
    }
  }
  const pool = await SandboxPool.start({ workers: options.scoring.workers, isolation: options.scoring.isolation, defaultTimeoutS: options.scoring.timeoutS });
  const results: ModelResults[] = [];
  try {
    for (const spec of models) {
      const dir = join(out, spec.name);
      options.log(`${spec.name}: running ${tasks.length * options.n} test files in the sandbox`);
      const { reward, mutants, coverage, timeoutS, strongAt } = options.scoring;
      const scored = await scoreModel({ model: spec.name, dir, tasks, executor: pool, reward, mutants, coverage, timeoutS, strongAt, ks: options.ks, quiet: options.quiet, signal: options.signal });
      if (scored.interrupted) return { interrupted: true };
      const extended = {
        ...scored.results,
        backend: BACKEND_OF[spec.kind],
        compile_rate: compileRate(scored.scores),
        generation: generationMetrics(dir),
        per_category: groupTable(tasks, scored.results.per_task, GROUPINGS.category),
        per_difficulty: groupTable(tasks, scored.results.per_task, GROUPINGS.difficulty),
      };
      writeJson(join(dir, "results.json"), extended);
      results.push(extended);
    }
  } finally {
    await pool.close();
  }
  const summary = summarize(results, { ks: options.ks, seed: options.params.seed, testtuneVersion: record.versions.testtune as string, baseline });
  const file = join(out, "results.json");
  writeJson(file, summary);
  return { interrupted: false, summary, file };
}
