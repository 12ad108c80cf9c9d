/**
 * manifest.json: everything needed to reproduce or audit a run: package and library versions,
 * the git commit, seeds, hashes of the data, and each stage's timing.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readEnvInfo, type EnvInfo } from "../engine/env-info.js";
import type { PythonEnv } from "../engine/python-env.js";
import { readJson, writeJson } from "../util/jsonl.js";
import { packageRoot } from "../util/paths.js";
import { run } from "../util/subprocess.js";

export interface Manifest {
  format: 1;
  name: string;
  created_at: string;
  updated_at: string;
  testtune: { version: string; git_sha: string | null; git_dirty: boolean | null };
  node: string;
  python: Pick<EnvInfo, "python" | "platform" | "torch"> & { libraries: Record<string, string | null> };
  seeds: Record<string, number>;
  data: Record<string, string>;
  /** How prompts were written (src/pipeline/prompting.ts), recorded by the data stage. */
  prompt?: Record<string, unknown>;
  stages: Record<string, { status: string; duration_s?: number; attempts?: number; started_at: string; finished_at?: string }>;
}

export async function gitState(): Promise<{ sha: string | null; dirty: boolean | null }> {
  const sha = await run("git", ["-C", packageRoot, "rev-parse", "HEAD"], { timeoutMs: 10_000 });
  if (!sha.ok) return { sha: null, dirty: null };
  const status = await run("git", ["-C", packageRoot, "status", "--porcelain", "--untracked-files=no"], { timeoutMs: 10_000 });
  return { sha: sha.stdout.trim(), dirty: status.ok ? status.stdout.trim() !== "" : null };
}

export function packageVersion(): string {
  return (readJson(join(packageRoot, "package.json")) as { version: string }).version;
}

/** Creates the manifest of a new run, or loads the existing one of a resumed run. */
export async function openManifest(runDir: string, name: string, seed: number, env: PythonEnv): Promise<Manifest> {
  const file = join(runDir, "manifest.json");
  const info = await readEnvInfo(env);
  const git = await gitState();
  const now = new Date().toISOString();
  const previous = existsSync(file) ? (readJson(file) as Manifest) : undefined;
  const manifest: Manifest = {
    format: 1,
    name,
    created_at: previous?.created_at ?? now,
    updated_at: now,
    testtune: { version: packageVersion(), git_sha: git.sha, git_dirty: git.dirty },
    node: process.versions.node,
    python: {
      python: info.python,
      platform: info.platform,
      torch: info.torch,
      libraries: Object.fromEntries(Object.entries(info.libraries).map(([k, v]) => [k, v.version])),
    },
    seeds: { run: seed, ...(previous?.seeds ?? {}) },
    data: previous?.data ?? {},
    ...(previous?.prompt === undefined ? {} : { prompt: previous.prompt }),
    stages: previous?.stages ?? {},
  };
  writeManifest(runDir, manifest);
  return manifest;
}

export function writeManifest(runDir: string, manifest: Manifest): void {
  manifest.updated_at = new Date().toISOString();
  writeJson(join(runDir, "manifest.json"), manifest);
}
