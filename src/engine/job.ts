/**
 * Runs one engine job: validates and writes its spec, launches
 * `python -m testtune_engine <job> --spec <file>`, reads its JSON-lines events, shows progress,
 * forwards Ctrl-C, and turns the way it ended into a result or an error (docs/engine-protocol.md).
 */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import type { z } from "zod";
import { validate } from "../config/load.js";
import { writeJson } from "../util/jsonl.js";
import { pythonDir } from "../util/paths.js";
import { engineCommand, shellLine, type EngineLauncher } from "./command.js";
import type { ArtifactEvent, EngineEvent, MetricsEvent } from "./events.js";
import { EngineInterruptedError, EngineJobError } from "./job-errors.js";
import { JobMonitor } from "./monitor.js";
import { pythonEnv } from "./python-env.js";
import { modelSpecSchemas } from "../model/specs.js";
import { trainSpecSchemas } from "../train/specs.js";
import { engineSpecSchemas } from "./specs.js";

/** Every job the engine runs: the foundation's (pretrain, sft, generate), training's (dpo, grpo, ppo, merge) and models' (import-gguf, export-gguf). */
export const jobSpecSchemas = { ...engineSpecSchemas, ...trainSpecSchemas, ...modelSpecSchemas } as const;
export type JobName = keyof typeof jobSpecSchemas;
/** A job's spec as callers write it: fields with defaults may be left out. */
export type JobSpecInput<J extends JobName> = z.input<(typeof jobSpecSchemas)[J]>;
/** A job's complete spec, as written to the spec file. */
export type JobSpec<J extends JobName> = z.output<(typeof jobSpecSchemas)[J]>;

export interface EngineJobOptions {
  /** Where to write the spec; default: engine-spec.json in the output directory (generate: <output>.spec.json). */
  specFile?: string;
  /** The Python module to run instead of testtune_engine (tests use fake jobs). */
  pythonModule?: string;
  /** Run as several processes through accelerate or torchrun. */
  launcher?: EngineLauncher;
  /** No progress bar and no log lines. */
  quiet?: boolean;
  /** Progress label; default `engine <job>`. */
  label?: string;
  /** Called with every event, in order. */
  onEvent?: (event: EngineEvent) => void;
  /** Append every metrics event to this JSONL file. */
  metricsFile?: string;
  /** Working directory of the job; relative paths in the spec resolve against it. */
  cwd?: string;
}

export interface EngineJobResult {
  job: JobName;
  specFile: string;
  artifacts: ArtifactEvent[];
  /** Every metrics event, in order. */
  metrics: MetricsEvent[];
  durationMs: number;
  exitCode: number;
}

const EXIT_BAD_INPUT = 2;
const EXIT_INTERRUPTED = 130;

function defaultSpecFile<J extends JobName>(job: J, spec: JobSpec<J>): string {
  if ("output_dir" in spec) return join(spec.output_dir, "engine-spec.json");
  if ("output" in spec) return `${spec.output}.spec.json`;
  throw new Error(`no default spec file for engine job ${job}`);
}

/** Runs an engine job to completion; throws EngineJobError, EngineInterruptedError or ConfigError. */
export async function runEngineJob<J extends JobName>(job: J, spec: JobSpecInput<J>, options: EngineJobOptions = {}): Promise<EngineJobResult> {
  const full = validate(jobSpecSchemas[job], { ...spec, version: 1, job }, options.specFile ?? `the ${job} job spec`, "docs/engine-protocol.md describes the spec fields") as JobSpec<J>;
  const specFile = resolve(options.cwd ?? ".", options.specFile ?? defaultSpecFile(job, full));
  writeJson(specFile, full);
  const env = await pythonEnv({ quiet: options.quiet === true });
  const module = options.pythonModule ?? "testtune_engine";
  const { command, args, env: launchEnv } = engineCommand(env.python, module, job, specFile, options.launcher);
  const rerun = shellLine(command, args, { PYTHONPATH: pythonDir, ...launchEnv });
  const monitor = new JobMonitor(job, { quiet: options.quiet === true, label: options.label ?? `engine ${job}`, onEvent: options.onEvent, metricsFile: options.metricsFile });
  const started = Date.now();

  const child = spawn(command, args, { cwd: options.cwd, env: { ...env.env, ...launchEnv }, stdio: ["ignore", "pipe", "pipe"] });
  // The job saves a checkpoint on SIGINT: keep this process alive and pass the signal on.
  // (On a terminal the job also gets Ctrl-C directly; the engine treats both as one.)
  const onSigint = (): void => {
    monitor.note(`interrupt: waiting for engine job '${job}' to save a checkpoint (press Ctrl-C again to stop it at once)`);
    child.kill("SIGINT");
  };
  process.on("SIGINT", onSigint);
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    if (monitor.stdout(chunk) === "protocol-error" && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => monitor.stderr(chunk));
  const { code, signal, spawnError } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((done) => {
    child.on("error", (error) => done({ code: null, signal: null, spawnError: error }));
    child.on("close", (exitCode, exitSignal) => done({ code: exitCode, signal: exitSignal }));
  }).finally(() => process.off("SIGINT", onSigint));
  monitor.end();
  await monitor.close();

  const durationMs = Date.now() - started;
  const hint = `re-run the same command, or the job alone: ${rerun}`;
  if (spawnError !== undefined) {
    throw new EngineJobError(job, null, null, [], [], `engine job '${job}' could not start: ${spawnError.message}`, { hint: "run 'testtune setup' to (re)create the Python environment", cause: spawnError });
  }
  if (monitor.protocolError !== undefined) {
    throw new EngineJobError(job, code, signal, monitor.logLines, monitor.stderrLines, `engine job '${job}': ${monitor.protocolError}${monitor.tail()}`, { hint });
  }
  // A launcher (accelerate, torchrun) exits with its own code after its processes saved and stopped: the event says it.
  if (monitor.interrupted !== undefined || code === EXIT_INTERRUPTED || (code === null && signal === "SIGINT")) {
    throw new EngineInterruptedError(job, monitor.interrupted?.checkpoint ?? null, `re-run the same command to resume (the job alone: ${rerun})`);
  }
  if (code !== 0) {
    const how = code === null ? `killed by ${signal ?? "a signal"}${signal === "SIGKILL" ? " (out of memory?)" : ""}` : `exit ${code}`;
    const what = monitor.error === undefined ? "ended without an error event" : monitor.error.message;
    // Exit 2: the job refused its spec or an input file; running it again changes nothing.
    const fix = code === EXIT_BAD_INPUT ? `fix the named field or file (a flag or config field of the same name), then re-run; the job alone: ${rerun}` : hint;
    throw new EngineJobError(job, code, signal, monitor.logLines, monitor.stderrLines, `engine job '${job}' failed (${how}): ${what}${monitor.tail()}`, { hint: fix });
  }
  return { job, specFile, artifacts: monitor.artifacts, metrics: monitor.metrics, durationMs, exitCode: 0 };
}
