import { cpus } from "node:os";
import { UsageError } from "../../errors.js";
import { isRewardPreset, MUTANTS_REQUIRED, REWARD_DESCRIPTIONS, REWARD_PRESETS, type RewardPreset } from "../../quality/rewards.js";
import { scoreFiles } from "../../quality/score-files.js";
import { formatSummary } from "../../quality/summary.js";
import { SandboxPool } from "../../sandbox/pool.js";
import type { Isolation } from "../../sandbox/types.js";
import { flag, type Command, type FlagSpec, type ParsedArgs } from "../command.js";

/** The sandbox pool's flags, shared by every command that runs tests (score, prefs, eval, refine, serve-rewards, data). */
export const poolFlags: FlagSpec[] = [
  { name: "workers", type: "number", value: "<n>", description: "sandbox executor processes (default: one per core)" },
  { name: "isolation", type: "string", value: "<bubblewrap|none>", default: "bubblewrap", description: "isolation of test runs; 'none' only on a machine you do not mind generated code touching" },
  { name: "timeout-run-s", type: "number", value: "<s>", description: "wall-clock limit of one test run, seconds (default: the sandbox's)" },
];

/** The pool's flags and --max-mutants: the commands that score with mutants. */
export const sandboxFlags: FlagSpec[] = [
  ...poolFlags,
  { name: "max-mutants", type: "number", value: "<n>", description: "with mutants: at most n per task, a seeded sample over operator families (default: all)" },
];

export function maxMutantsArg(args: ParsedArgs): number | undefined {
  const n = flag.num(args, "max-mutants");
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new UsageError(`--max-mutants must be a positive integer, got ${n}`);
  return n;
}

export const rewardFlag: FlagSpec = {
  name: "reward",
  type: "string",
  value: `<${REWARD_PRESETS.join("|")}>`,
  default: "quality",
  description: `reward preset: ${REWARD_PRESETS.map((p) => `${p} = ${REWARD_DESCRIPTIONS[p]}`).join("; ")}`,
};

export function rewardArg(args: ParsedArgs): RewardPreset {
  const name = flag.str(args, "reward") ?? "quality";
  if (!isRewardPreset(name)) throw new UsageError(`--reward must be one of ${REWARD_PRESETS.join(", ")}, got '${name}'`, "docs/rewards.md gives each preset's formula and when to use it");
  return name;
}

/** --mutants of a command scoring with `reward`; off is refused for a preset that pays only for kills. */
export function mutantsArg(args: ParsedArgs, reward: RewardPreset): boolean {
  const mutants = flag.bool(args, "mutants");
  if (!mutants && MUTANTS_REQUIRED.has(reward)) {
    throw new UsageError(`--reward ${reward} pays only for mutants killed: without mutants every file would earn 0`, "add --mutants (or drop --no-mutants); docs/rewards.md describes each reward preset");
  }
  return mutants;
}

export function workersArg(args: ParsedArgs): number {
  const workers = flag.num(args, "workers") ?? cpus().length;
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers must be a positive integer, got ${workers}`, "sandbox executor processes, e.g. --workers 2; the default is one per core");
  return workers;
}

/** Starts the sandbox pool from the shared flags. */
export async function startPoolFromArgs(args: ParsedArgs): Promise<SandboxPool> {
  const isolation = flag.str(args, "isolation") ?? "bubblewrap";
  if (isolation !== "bubblewrap" && isolation !== "none") throw new UsageError(`--isolation must be bubblewrap or none, got '${isolation}'`, "bubblewrap (the default) isolates every test run; 'none' is for code you trust (docs/sandbox.md)");
  const workers = workersArg(args);
  const timeout = flag.num(args, "timeout-run-s");
  if (timeout !== undefined && !(timeout > 0)) throw new UsageError(`--timeout-run-s must be a positive number, got ${timeout}`, "seconds one test run may take, e.g. --timeout-run-s 10 (the default)");
  return SandboxPool.start({ workers, isolation: isolation as Isolation, ...(timeout === undefined ? {} : { defaultTimeoutS: timeout }) });
}

export const scoreCommand: Command = {
  name: "score",
  summary: "Run generated test files against their tasks' code and write one score line per sample (resumable).",
  description: `Each sample's completion is reduced to a test file (docs/rewards.md), run with pytest in the
sandbox against the task's reference code, optionally against its mutants (--mutants) and with
coverage (--coverage), and scored with a reward preset (docs/rewards.md). Tasks of other kinds
(solve, complete, bugfix, ...) are scored by their kind's check (docs/kinds.md); every line
carries task_id, kind, passed, score and outcome. Lines are appended as
samples finish: interrupt at any time and run the same command again to continue.`,
  flags: [
    { name: "tasks", type: "string", value: "<tasks.jsonl>", required: true, description: "tasks (id, code, module, entry_points, ...)" },
    { name: "samples", type: "string", value: "<samples.jsonl>", required: true, description: "samples (task_id, completion, sample_index)" },
    { name: "out", type: "string", value: "<scores.jsonl>", required: true, description: "score lines, appended; samples already in it are skipped" },
    rewardFlag,
    { name: "mutants", type: "boolean", description: "also run passing test files against mutants of the code (mutation score)" },
    { name: "coverage", type: "boolean", description: "also measure line and branch coverage of the code" },
    ...sandboxFlags,
    { name: "quiet", type: "boolean", description: "print only the summary" },
  ],
  async run(args) {
    const reward = rewardArg(args);
    const mutants = mutantsArg(args, reward);
    const pool = await startPoolFromArgs(args);
    const controller = new AbortController();
    const onSigint = (): void => {
      if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: do not wait for anything
      controller.abort();
    };
    process.on("SIGINT", onSigint);
    try {
      const result = await scoreFiles({
        tasksFile: flag.need(args, "tasks"),
        samplesFile: flag.need(args, "samples"),
        outFile: flag.need(args, "out"),
        reward,
        mutants,
        coverage: flag.bool(args, "coverage"),
        maxMutants: maxMutantsArg(args),
        executor: pool,
        quiet: flag.bool(args, "quiet"),
        signal: controller.signal,
      });
      process.stdout.write(`scored ${result.scored} samples (${result.skipped} already in ${flag.need(args, "out")})\n${formatSummary(result.stats)}\n`);
      if (result.interrupted) {
        process.stderr.write("interrupted: run the same command again to score the rest\n");
        return 130;
      }
      if (result.sandboxErrors.length > 0) {
        const lines = result.sandboxErrors.slice(0, 5).map((s) => `  samples line ${s.sample_line} (${s.task_id}): ${s.detail}`);
        process.stderr.write(`error: the sandbox failed on ${result.sandboxErrors.length} samples (not written):\n${lines.join("\n")}\nHINT: run the same command again to retry them; 'testtune doctor' checks the sandbox\n`);
        return 1;
      }
      return 0;
    } finally {
      process.off("SIGINT", onSigint);
      await pool.close();
    }
  },
};
