import { resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { BENCHMARKS, selectTasks } from "../../eval/benchmarks.js";
import { evaluate, type EvaluateOptions } from "../../eval/evaluate.js";
import { parseModelSpecs } from "../../eval/model-spec.js";
import { DEFAULT_STRONG_AT } from "../../eval/strength.js";
import type { EvalSummary } from "../../eval/summary.js";
import { markdownTable, resultsTable, type Table } from "../../report/tables.js";
import { writeReport } from "../../report/build.js";
import { flag, type Command, type ParsedArgs } from "../command.js";
import { mutantsArg, rewardArg, rewardFlag, poolFlags, workersArg } from "./score.js";

const SANDBOX_TIMEOUT_S = 10; // the pipeline's sandbox.timeout_s default

function positiveInt(args: ParsedArgs, name: string): number | undefined {
  const value = flag.num(args, name);
  if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new UsageError(`--${name} must be a positive integer, got ${value}`);
  return value;
}

/** --k, or 1, 5 and 10 as far as --n allows. */
function ksArg(args: ParsedArgs, n: number): number[] {
  const given = flag.list(args, "k");
  if (given === undefined) return [1, 5, 10].filter((k) => k <= n);
  const ks = given.map((text) => {
    const k = Number(text);
    if (!Number.isInteger(k) || k < 1) throw new UsageError(`--k takes positive integers, got '${text}'`, "e.g. --k 1,5,10");
    return k;
  });
  return [...new Set(ks)].sort((a, b) => a - b);
}

const num = (x: number | null | undefined, digits: number): string => (x === null || x === undefined ? "n/a" : x.toFixed(digits));

/** Backend, compile rate, tokens per sample, latency and throughput of each model. */
function generationTable(summary: EvalSummary): Table {
  type Extra = { backend?: string; compile_rate?: number; generation?: { tokens_per_sample: number | null; latency_ms: { p50: number | null; p95: number | null }; tokens_per_second: number | null } };
  return {
    header: ["model", "backend", "compile rate", "tokens/sample", "latency p50 (ms)", "latency p95 (ms)", "tokens/s"],
    rows: summary.models.map((m) => {
      const e = m as unknown as Extra;
      return [m.model, e.backend ?? "-", e.compile_rate === undefined ? "n/a" : `${(100 * e.compile_rate).toFixed(1)}%`, num(e.generation?.tokens_per_sample, 1), num(e.generation?.latency_ms.p50, 0), num(e.generation?.latency_ms.p95, 0), num(e.generation?.tokens_per_second, 1)];
    }),
  };
}

export const evalCommand: Command = {
  name: "eval",
  summary: "Evaluate models (HF directory, run stage, GGUF file or OpenAI-compatible endpoint) on a benchmark or tasks file: pass@k, quality, paired statistics.",
  description: `Each --model samples --n test files per task through its backend: a Hugging Face model or a
run's stage through the engine's generate job (batched), a .gguf file through llama.cpp in-process,
http://HOST:PORT/v1#served-model through an OpenAI-compatible server (--api chat|completions).
SPEC forms and model names: DIR, BASE+ADAPTER, RUN_DIR/STAGE, FILE.gguf, URL#model, NAME=SPEC
(docs/eval.md). The samples run in the sandbox against each task's reference code.

OUT gets results.json (schema version 2, docs/results.md; paired statistics against the first
model or --baseline), eval.json (arguments, versions, model and data hashes) and
OUT/<model>/{samples,scores}.jsonl. Samples are written as they arrive; running the same command
again resumes, and a directory made with other settings is refused. Ctrl-C keeps what is written.`,
  flags: [
    { name: "model", type: "list", value: "<SPEC>", required: true, description: "a model to evaluate (repeat the flag for several); NAME=SPEC names it" },
    { name: "tasks", type: "string", value: "<tasks.jsonl>", description: "a prepared tasks file ('testtune data prepare')" },
    { name: "benchmark", type: "string", value: `<${BENCHMARKS.join("|")}>`, description: "a benchmark by name, prepared into OUT/data" },
    { name: "limit", type: "number", value: "<n>", description: "only the first n tasks (tinytests: generate n; default 100)" },
    { name: "out", type: "string", value: "<dir>", required: true, description: "the evaluation directory" },
    { name: "n", type: "number", value: "<n>", default: 10, description: "samples per task" },
    { name: "k", type: "list", value: "<k,...>", description: "the k of pass@k, each <= n (default: 1,5,10 up to --n)" },
    { name: "temperature", type: "number", value: "<t>", default: 0.8, description: "sampling temperature (0.8 for pass@k with many samples, Chen et al. 2021; 0 is greedy)" },
    { name: "top-p", type: "number", value: "<p>", default: 0.95, description: "nucleus sampling mass" },
    { name: "max-new-tokens", type: "number", value: "<n>", default: 256, description: "longest completion in tokens" },
    { name: "seed", type: "number", value: "<n>", default: 1234, description: "seeds every sample (with its task and index), TinyTests and the bootstrap" },
    { name: "baseline", type: "string", value: "<name>", description: "the model the others are compared with (default: the first)" },
    { name: "api", type: "string", value: "<chat|completions>", default: "chat", description: "endpoints: chat (the server applies the chat template) or completions (the plain prompt)" },
    { name: "concurrency", type: "number", value: "<n>", default: 8, description: "endpoints: requests in flight" },
    { name: "request-timeout-s", type: "number", value: "<s>", default: 300, description: "endpoints: per-request timeout (retried like 429 and 5xx)" },
    { name: "threads", type: "number", value: "<n>", description: "GGUF: llama.cpp threads (default: cores minus one)" },
    { name: "sequences", type: "number", value: "<n>", default: 4, description: "GGUF: sequences decoded together" },
    { name: "batch-size", type: "number", value: "<n>", default: 128, description: "engine: sequences per forward pass (the samples do not depend on it)" },
    rewardFlag,
    { name: "mutants", type: "boolean", default: true, description: "score mutation kills of valid tests (--no-mutants to skip)" },
    { name: "strong-at", type: "number", value: "<fraction>", default: DEFAULT_STRONG_AT, description: "strong@k: valid and killing at least this fraction of the mutants" },
    { name: "coverage", type: "boolean", description: "measure line and branch coverage of the reference" },
    ...poolFlags,
    { name: "quiet", type: "boolean", description: "print only the tables" },
  ],
  async run(args) {
    const api = flag.str(args, "api") ?? "chat";
    if (api !== "chat" && api !== "completions") throw new UsageError(`--api must be chat or completions, got '${api}'`);
    const isolation = flag.str(args, "isolation") ?? "bubblewrap";
    if (isolation !== "bubblewrap" && isolation !== "none") throw new UsageError(`--isolation must be bubblewrap or none, got '${isolation}'`);
    const strongAt = flag.num(args, "strong-at") ?? DEFAULT_STRONG_AT;
    if (!(strongAt > 0 && strongAt <= 1)) throw new UsageError(`--strong-at must be in (0, 1], got ${strongAt}`);
    const timeoutS = flag.num(args, "timeout-run-s") ?? SANDBOX_TIMEOUT_S;
    if (!(timeoutS > 0)) throw new UsageError(`--timeout-run-s must be a positive number, got ${timeoutS}`);
    const reward = rewardArg(args);
    const mutants = mutantsArg(args, reward);
    const quiet = flag.bool(args, "quiet");
    const log = (line: string): void => {
      if (!quiet) process.stderr.write(`${line}\n`);
    };
    const out = resolve(flag.need(args, "out"));
    const seed = flag.num(args, "seed") ?? 1234;
    const n = flag.num(args, "n") ?? 10;
    const models = await parseModelSpecs(flag.list(args, "model") ?? []);
    const selected = await selectTasks({ tasks: flag.str(args, "tasks"), benchmark: flag.str(args, "benchmark"), limit: positiveInt(args, "limit"), seed, dataDir: resolve(out, "data"), log });
    const controller = new AbortController();
    const onSigint = (): void => {
      if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: do not wait for anything
      log("interrupt: finishing the samples under way; what is written is kept (Ctrl-C again to stop at once)");
      controller.abort();
    };
    process.on("SIGINT", onSigint);
    const options: EvaluateOptions = {
      models,
      tasks: selected.tasks,
      tasksFile: selected.file,
      benchmark: flag.str(args, "benchmark"),
      out,
      n,
      ks: ksArg(args, n),
      params: { temperature: flag.num(args, "temperature") ?? 0.8, top_p: flag.num(args, "top-p") ?? 0.95, max_new_tokens: flag.num(args, "max-new-tokens") ?? 256, seed },
      backend: { api, concurrency: positiveInt(args, "concurrency"), requestTimeoutS: flag.num(args, "request-timeout-s"), threads: positiveInt(args, "threads"), sequences: positiveInt(args, "sequences"), batchSize: positiveInt(args, "batch-size") },
      baseline: flag.str(args, "baseline"),
      scoring: { reward, mutants, coverage: flag.bool(args, "coverage"), timeoutS, strongAt, workers: workersArg(args), isolation },
      command: ["testtune", "eval", ...process.argv.slice(3)],
      quiet,
      signal: controller.signal,
      log,
    };
    try {
      const outcome = await evaluate(options);
      if (outcome.interrupted) {
        log(`interrupted: what was written is kept in ${out}; run the same command again to resume`);
        return 130;
      }
      const report = await writeReport({ evalDir: out, outDir: out, tasksFile: options.tasksFile });
      process.stdout.write(`${[markdownTable(resultsTable(outcome.summary)), "", markdownTable(generationTable(outcome.summary)), "", `Results: ${outcome.file}`, `Report: ${report.html} (and report.md)`].join("\n")}\n`);
      return 0;
    } finally {
      process.off("SIGINT", onSigint);
    }
  },
};
