/** `testtune data traces`: synthetic failure -> fix traces from reference test files with one wrong expected value. */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "../../errors.js";
import { packageVersion } from "../../pipeline/manifest.js";
import { readTasks } from "../../tasks/io.js";
import { SYNTHETIC_SOURCE, syntheticTraces, type SyntheticTraceCounts } from "../../train/synthetic-traces.js";
import { writeJson, writeJsonl } from "../../util/jsonl.js";
import { Progress } from "../../util/progress.js";
import { flag, type Command, type ParsedArgs } from "../command.js";
import { DEFAULT_SEED } from "./data-flags.js";
import { poolFlags, startPoolFromArgs } from "./score.js";

const SPLITS = ["train", "eval", "all"] as const;
const HELP = "'testtune data traces --help' lists the flags; docs/training.md, 'Repair traces', explains the traces";

function intFlag(args: ParsedArgs, name: string, fallback: number | undefined, min: number): number | undefined {
  const value = flag.num(args, name) ?? fallback;
  if (value !== undefined && (!Number.isInteger(value) || value < min)) throw new UsageError(`--${name} must be an integer >= ${min}, got ${value}`, HELP);
  return value;
}

/** The counts as the command prints them. */
export function formatTraceCounts(counts: SyntheticTraceCounts, out: string): string {
  const lines = [`${counts.traces} traces from ${counts.tasks_with_traces} of ${counts.tasks} tasks -> ${out}`];
  const reasons = (title: string, by: Record<string, number>): void => {
    if (Object.keys(by).length === 0) return;
    lines.push(title);
    for (const [reason, n] of Object.entries(by)) lines.push(`  ${String(n).padStart(6)}  ${reason}`);
  };
  reasons("tasks skipped, by reason:", counts.tasks_skipped);
  reasons("edits not kept, by reason:", counts.edits_dropped);
  return lines.join("\n");
}

export const tracesCommand: Command = {
  name: "traces",
  summary: "Failure -> fix traces made from reference tests with one wrong expected value, checked in the sandbox.",
  description: `For each unit_test task with reference tests, changes the expected value of --per-task
assertions ('assert <expr> == <literal>', 'assert <expr> is True|False', or a parametrize case;
one literal each: an int or float +-1, one character of a string, a bool flipped, None -> 0),
runs the reference and each broken file on the task's code in the sandbox, and keeps a trace
{task_id, code, module, failed_test, failure_log, fixed_test, round: 1, reward: null,
source: "${SYNTHETIC_SOURCE}", edit} when the reference passes and the broken file fails at the
edited assertion. A curriculum's traces stage trains on them (sft.stages[].traces.file, or
traces.synthetic_per_task). Writes --out and, beside it, <name>.stats.json (settings and counts).
docs/training.md, 'Synthetic traces', has the details and limits. Same seed, same traces.`,
  flags: [
    { name: "tasks", type: "string", required: true, value: "<tasks.jsonl>", description: "tasks with reference tests (from 'testtune data prepare')" },
    { name: "out", type: "string", required: true, value: "<traces.jsonl>", description: "the traces file to write" },
    { name: "per-task", type: "number", default: 1, description: "traces per task, each editing a different assertion" },
    { name: "seed", type: "number", default: DEFAULT_SEED, description: "seed of the edits (mixed with each task id)" },
    { name: "split", type: "string", default: "train", value: `<${SPLITS.join("|")}>`, description: "which tasks of the file to use (train: never the eval tasks)" },
    { name: "limit", type: "number", description: "only the first N tasks of the split" },
    ...poolFlags,
  ],
  async run(args) {
    const perTask = intFlag(args, "per-task", 1, 1) as number;
    const seed = intFlag(args, "seed", DEFAULT_SEED, 0) as number;
    const limit = intFlag(args, "limit", undefined, 1);
    const split = flag.need(args, "split");
    if (!(SPLITS as readonly string[]).includes(split)) throw new UsageError(`--split must be one of ${SPLITS.join(", ")}, got '${split}'`, HELP);
    const out = flag.need(args, "out");
    if (!out.endsWith(".jsonl")) throw new UsageError(`--out must name a .jsonl file, got '${out}'`, HELP);
    const file = flag.need(args, "tasks");
    const all = await readTasks(file);
    const chosen = (split === "all" ? all : all.filter((t) => t.split === split)).slice(0, limit);
    if (chosen.length === 0) throw new UsageError(`no ${split === "all" ? "" : `${split} `}tasks in ${file}`, split === "all" ? "'testtune data prepare' writes a tasks file" : "pass --split all, or a file with that split");
    const pool = await startPoolFromArgs(args);
    const progress = new Progress({ label: "traces", total: chosen.length, unit: "task" });
    const started = Date.now();
    try {
      const timeoutS = flag.num(args, "timeout-run-s");
      const { traces, counts } = await syntheticTraces(chosen, pool, { perTask, seed, ...(timeoutS === undefined ? {} : { timeoutS }), onTasks: (done, made) => progress.update(done, undefined, `${made} traces`) });
      progress.finish();
      mkdirSync(dirname(out), { recursive: true });
      writeJsonl(out, traces);
      const statsFile = out.replace(/\.jsonl$/, ".stats.json");
      const settings = { tasks_file: file, split, limit: limit ?? null, per_task: perTask, seed, timeout_s: timeoutS ?? null, workers: pool.workers, isolation: pool.isolation };
      writeJson(statsFile, { testtune: packageVersion(), settings, counts, seconds: (Date.now() - started) / 1000 });
      process.stdout.write(`${formatTraceCounts(counts, out)}\ndetails: ${statsFile}\n`);
    } finally {
      await pool.close();
    }
  },
};
