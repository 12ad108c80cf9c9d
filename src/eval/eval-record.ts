/**
 * DIR/eval.json: what an evaluation directory was made with, like a run's config.yaml and
 * manifest.json together: the tasks (file, count, sha256), the sampling parameters and seed,
 * each model (its SPEC, what it resolved to, a sha256 of its weights, its prompt form, the
 * backend's settings), the scoring settings, and the versions (testtune, git, Node,
 * node-llama-cpp, the Python engine's libraries when it ran).
 *
 * A re-run into the same directory must ask for the same samples: a different tasks set,
 * sampling parameter, seed, API, scoring setting, or a model name given another SPEC is refused
 * with the field named. Adding a model, changing ks or the baseline is allowed.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.js";
import { readEnvInfo } from "../engine/env-info.js";
import { pythonEnv } from "../engine/python-env.js";
import { gitState, packageVersion } from "../pipeline/manifest.js";
import type { Task } from "../tasks/schema.js";
import { sha256, sha256File } from "../util/hash.js";
import { readJson, writeJson } from "../util/jsonl.js";
import { packageRoot } from "../util/paths.js";
import type { ModelSpec } from "./model-spec.js";

/** What decides the samples and scores: a re-run must match it. */
export interface EvalIdentity {
  tasks: { file: string; benchmark: string | null; count: number; sha256: string };
  n: number;
  temperature: number;
  top_p: number;
  max_new_tokens: number;
  seed: number;
  api: string;
  scoring: { reward: string; mutants: boolean; coverage: boolean; timeout_s: number; strong_at: number };
}

export interface ModelRecord {
  name: string;
  kind: ModelSpec["kind"];
  spec: string;
  resolved: Record<string, string | null>;
  /** sha256 of the weights (a GGUF file; a model directory's and adapter's weight files); null for a served model. */
  sha256: string | null;
  prompt: Record<string, unknown>;
  backend: Record<string, unknown>;
}

export interface EvalRecord {
  format: 1;
  created_at: string;
  updated_at: string;
  command: string[];
  identity: EvalIdentity;
  ks: number[];
  baseline: string;
  models: ModelRecord[];
  versions: Record<string, unknown>;
}

export const recordFile = (dir: string): string => join(dir, "eval.json");

export function tasksHash(tasks: readonly Task[]): string {
  return sha256(tasks.map((t) => JSON.stringify(t)).join("\n"));
}

/** sha256 over the weight files of a model directory (and its adapter): each file's hash, in name order. */
async function weightsHash(dirs: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const dir of dirs) {
    const files = readdirSync(dir).filter((f) => /\.(safetensors|bin|gguf)$/.test(f)).sort();
    for (const f of files) parts.push(`${f}:${await sha256File(join(dir, f))}`);
  }
  return sha256(parts.join("\n"));
}

export async function modelHash(spec: ModelSpec): Promise<string | null> {
  if (spec.kind === "gguf") return sha256File(spec.path);
  if (spec.kind === "hf") return weightsHash(spec.adapter === undefined ? [spec.model] : [spec.model, spec.adapter]);
  return null;
}

function nodeLlamaCppVersion(): string | null {
  const file = join(packageRoot, "node_modules", "node-llama-cpp", "package.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version : null;
}

export async function versions(withPython: boolean): Promise<Record<string, unknown>> {
  const git = await gitState();
  const record: Record<string, unknown> = { testtune: packageVersion(), git_sha: git.sha, git_dirty: git.dirty, node: process.versions.node, node_llama_cpp: nodeLlamaCppVersion() };
  if (withPython) {
    const info = await readEnvInfo(await pythonEnv({ quiet: true }));
    record.python = { python: info.python, platform: info.platform, torch: info.torch, libraries: Object.fromEntries(Object.entries(info.libraries).map(([k, v]) => [k, v.version])) };
  }
  return record;
}

/** The first path where two JSON values differ, with both values. */
function firstDifference(a: unknown, b: unknown, path: string): { path: string; was: unknown; now: unknown } | undefined {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path === "" ? k : `${path}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? undefined : { path, was: a, now: b };
}

/** Refuses a directory made with other settings; returns the earlier record, if any. */
export function checkResume(dir: string, identity: EvalIdentity, models: readonly ModelSpec[]): EvalRecord | undefined {
  const file = recordFile(dir);
  if (!existsSync(file)) return undefined;
  const previous = readJson(file) as EvalRecord;
  const hint = "re-run with the arguments that made it (eval.json records them), or give a new --out directory";
  const diff = firstDifference(previous.identity, identity, "");
  if (diff !== undefined) {
    throw new ConfigError(file, diff.path, `this directory was made with ${JSON.stringify(diff.was)}, now ${JSON.stringify(diff.now)}`, { hint });
  }
  for (const m of models) {
    const earlier = previous.models.find((p) => p.name === m.name);
    if (earlier !== undefined && earlier.spec !== m.spec) {
      throw new ConfigError(file, `models.${m.name}.spec`, `model '${m.name}' was ${earlier.spec}, now ${m.spec}`, { hint: `${hint}; or name the new model differently (--model NAME=SPEC)` });
    }
  }
  return previous;
}

export function writeRecord(dir: string, record: EvalRecord): void {
  writeJson(recordFile(dir), record);
}
