/**
 * The Python environment that runs testtune's engine jobs and sandbox executors.
 *
 * - `TESTTUNE_PYTHON=/path/to/python` uses an existing interpreter as it is (a GPU box with
 *   torch already installed); testtune never installs into it.
 * - Otherwise the environment lives in `TESTTUNE_ENV_DIR` (default: python/.venv in the
 *   package) and is created or updated from python/uv.lock with `uv sync --frozen`, using the
 *   machine's python3 and never downloading an interpreter. uv is installed from PyPI with pip
 *   when it is not on PATH.
 * - The environment holds only third-party libraries; testtune's own Python modules are found
 *   through PYTHONPATH=python/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { EnvError, UsageError } from "../errors.js";
import { sha256 } from "../util/hash.js";
import { pythonDir } from "../util/paths.js";
import { run } from "../util/subprocess.js";

export interface PythonEnv {
  /** The interpreter to run. */
  python: string;
  /** Environment variables for processes that run testtune's Python modules. */
  env: NodeJS.ProcessEnv;
  /** Whether the interpreter is the user's own (TESTTUNE_PYTHON) rather than testtune's environment. */
  external: boolean;
}

export interface SetupOptions {
  /** Also install the optional extras (gpu: bitsandbytes, for 4-bit QLoRA on CUDA). */
  extras?: string[];
  /** Called with each line uv prints, for progress. */
  onLine?: (line: string) => void;
}

const MARKER = ".testtune-env.json";

export function envDir(): string {
  return process.env.TESTTUNE_ENV_DIR ?? join(pythonDir, ".venv");
}

export function cacheDir(): string {
  return process.env.TESTTUNE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "testtune");
}

function lockDigest(extras: string[]): string {
  const lock = readFileSync(join(pythonDir, "uv.lock"), "utf8");
  const project = readFileSync(join(pythonDir, "pyproject.toml"), "utf8");
  return sha256(`${lock}\n${project}\n${[...extras].sort().join(",")}`);
}

function processEnv(python: string, external: boolean): PythonEnv {
  const existing = process.env.PYTHONPATH;
  return {
    python,
    external,
    env: {
      ...process.env,
      PYTHONPATH: existing === undefined || existing === "" ? pythonDir : `${pythonDir}:${existing}`,
      PYTHONUNBUFFERED: "1",
      PYTHONDONTWRITEBYTECODE: "1",
      // Library chatter would otherwise be mistaken for protocol output on some paths.
      TOKENIZERS_PARALLELISM: "false",
      TRANSFORMERS_NO_ADVISORY_WARNINGS: "1",
      HF_HUB_DISABLE_TELEMETRY: "1",
    },
  };
}

/** The optional dependency groups of python/pyproject.toml. */
export const PYTHON_EXTRAS: readonly string[] = ["gpu"];

/** Reads the environment's marker: which lock digest and extras it was built from. */
function readMarker(dir: string): { digest: string; extras: string[] } | undefined {
  const file = join(dir, MARKER);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as { digest: string; extras: string[] };
  } catch {
    return undefined;
  }
}

/** The environment if it is ready to use now, without setting anything up. */
export function readyPythonEnv(): PythonEnv | undefined {
  const external = process.env.TESTTUNE_PYTHON;
  if (external !== undefined && external !== "") return processEnv(external, true);
  const dir = envDir();
  const python = join(dir, "bin", "python");
  const marker = readMarker(dir);
  if (!existsSync(python) || marker === undefined || marker.digest !== lockDigest(marker.extras)) return undefined;
  return processEnv(python, false);
}

/** The machine's python3, as an absolute path; uv uses it and never downloads one. */
export async function basePython(): Promise<string> {
  const candidate = process.env.TESTTUNE_BASE_PYTHON ?? "python3";
  const result = await run(candidate, ["-c", "import sys; assert sys.version_info >= (3, 10), sys.version; print(sys.executable)"], { timeoutMs: 30_000 });
  if (!result.ok) {
    throw new EnvError(`no usable Python >= 3.10 found as '${candidate}' (${result.stderr.trim().split("\n").pop() ?? "not found"})`, {
      hint: "install Python 3.10 or newer (Debian: apt-get install python3 python3-pip), or set TESTTUNE_BASE_PYTHON=/path/to/python3",
    });
  }
  return result.stdout.trim();
}

/** Finds uv on PATH or in testtune's cache, installing it from PyPI with pip when missing. */
export async function findOrInstallUv(python: string, onLine?: (line: string) => void): Promise<string> {
  if ((await run("uv", ["--version"], { timeoutMs: 20_000 })).ok) return "uv";
  const target = join(cacheDir(), "uv");
  const cached = join(target, "bin", "uv");
  if (existsSync(cached) && (await run(cached, ["--version"], { timeoutMs: 20_000 })).ok) return cached;
  onLine?.("installing uv from PyPI (pip install --target)...");
  mkdirSync(target, { recursive: true });
  const result = await run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", target, "uv"], { timeoutMs: 600_000 });
  if (!result.ok || !existsSync(cached)) {
    throw new EnvError(`could not install uv with '${python} -m pip': ${result.stderr.trim().split("\n").slice(-3).join(" ")}`, {
      hint: "install uv yourself (pip install uv, or your package manager), or set TESTTUNE_PYTHON to an interpreter that has torch, transformers, peft, trl, pytest and coverage",
    });
  }
  return cached;
}

/**
 * Creates or updates the environment so that it matches uv.lock (idempotent: a ready
 * environment costs one file read). Returns the environment to run.
 */
export async function setupPythonEnv(options: SetupOptions = {}): Promise<PythonEnv> {
  const unknown = (options.extras ?? []).filter((e) => !PYTHON_EXTRAS.includes(e));
  if (unknown.length > 0) throw new UsageError(`unknown extra '${unknown.join("', '")}'`, `the extras are: ${PYTHON_EXTRAS.join(", ")} (python/pyproject.toml)`);
  const external = process.env.TESTTUNE_PYTHON;
  if (external !== undefined && external !== "") {
    await checkExternalPython(external);
    return processEnv(external, true);
  }
  const extras = options.extras ?? readMarker(envDir())?.extras ?? [];
  const ready = readyPythonEnv();
  if (ready !== undefined && [...extras].sort().join(",") === [...(readMarker(envDir())?.extras ?? [])].sort().join(",")) return ready;
  const python = await basePython();
  const uv = await findOrInstallUv(python, options.onLine);
  const dir = envDir();
  // Bytecode compiled once at install: jobs would otherwise recompile transformers/TRL/PEFT on
  // every start (PYTHONDONTWRITEBYTECODE keeps them from caching it), about 10 s per job.
  const args = ["sync", "--frozen", "--compile-bytecode", "--project", pythonDir, "--python", python, ...extras.flatMap((e) => ["--extra", e])];
  options.onLine?.(`creating the Python environment in ${dir} (uv ${args.join(" ")}); the first time downloads PyTorch and can take minutes`);
  const result = await run(uv, args, {
    env: { ...process.env, UV_PROJECT_ENVIRONMENT: dir, UV_PYTHON_DOWNLOADS: "never", UV_NO_PROGRESS: "0" },
    onStderr: (chunk) => chunk.split(/\r?\n|\r/).filter((l) => l.trim() !== "").forEach((l) => options.onLine?.(l.trim())),
  });
  if (!result.ok) {
    throw new EnvError(`setting up the Python environment failed (uv exit ${result.exitCode ?? result.signal}):\n${result.stderr.trim().split("\n").slice(-12).join("\n")}`, {
      hint: `re-run 'testtune setup'; to start over remove ${dir}`,
    });
  }
  writeFileSync(join(dir, MARKER), `${JSON.stringify({ digest: lockDigest(extras), extras }, null, 2)}\n`);
  return processEnv(join(dir, "bin", "python"), false);
}

async function checkExternalPython(python: string): Promise<void> {
  const result = await run(python, ["-c", "import pytest, coverage"], { timeoutMs: 60_000 });
  if (!result.ok) {
    throw new EnvError(`TESTTUNE_PYTHON=${python} cannot import pytest and coverage: ${result.stderr.trim().split("\n").pop() ?? ""}`, {
      hint: `${python} -m pip install pytest coverage torch transformers peft trl accelerate, or unset TESTTUNE_PYTHON to let testtune manage its own environment`,
    });
  }
}

let cached: Promise<PythonEnv> | undefined;

/**
 * The environment for commands that need Python: ready now, or set up on first use with
 * progress lines on stderr.
 */
export function pythonEnv(options: { quiet?: boolean } = {}): Promise<PythonEnv> {
  cached ??= (async () => {
    const ready = readyPythonEnv();
    if (ready !== undefined) return ready;
    if (options.quiet !== true) process.stderr.write("testtune: setting up the Python environment (first use)\n");
    return setupPythonEnv({ onLine: options.quiet === true ? undefined : (line) => process.stderr.write(`  ${line}\n`) });
  })();
  return cached;
}
