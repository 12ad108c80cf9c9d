/** `testtune prefs`: preference pairs from a model's own samples, ranked by running them. */
import { exitOnInterrupt } from "../../engine/job-errors.js";
import { UsageError } from "../../errors.js";
import { prefsSectionSchema } from "../../config/train-config.js";
import { loadTaskMap } from "../../quality/inputs.js";
import { buildPreferencePairs, prefsFiles } from "../../train/prefs.js";
import { flag, type Command, type ParsedArgs } from "../command.js";
import { maxMutantsArg, mutantsArg, rewardArg, rewardFlag, sandboxFlags, startPoolFromArgs } from "./score.js";

const DEFAULTS = prefsSectionSchema.parse({});
const describe = (field: keyof typeof DEFAULTS): string => prefsSectionSchema.shape[field].description ?? "";

function numberFlag(args: ParsedArgs, name: string, fallback: number, check: (n: number) => boolean, what: string): number {
  const value = flag.num(args, name) ?? fallback;
  if (!check(value)) throw new UsageError(`--${name} must be ${what}, got ${value}`);
  return value;
}

export const prefsCommand: Command = {
  name: "prefs",
  summary: "Build DPO preference pairs: sample n test files per task, run them in the sandbox, pair a valid one with a worse one.",
  description: `Writes <out>/pairs.jsonl (TRL's prompt/chosen/rejected, plus task_id and both rewards) and
<out>/stats.json (pairs, and prompts dropped because every sample failed, all tied, or none beat
another by --margin), with the samples and their scores beside them. Interrupt at any time and
run the same command again: sampling and scoring resume where they stopped.`,
  flags: [
    { name: "model", type: "string", value: "<dir>", required: true, description: "Hugging Face model directory to sample from" },
    { name: "adapter", type: "string", value: "<dir>", description: "a LoRA adapter on the model (e.g. the SFT stage's)" },
    { name: "tasks", type: "string", value: "<tasks.jsonl>", required: true, description: "the tasks to write tests for (id, code, module, ...)" },
    { name: "out", type: "string", value: "<dir>", required: true, description: "output directory" },
    { name: "n", type: "number", default: DEFAULTS.n, description: describe("n") },
    rewardFlag,
    { name: "margin", type: "number", default: DEFAULTS.margin, description: describe("margin") },
    { name: "pairs-per-prompt", type: "number", default: DEFAULTS.pairs_per_prompt, description: describe("pairs_per_prompt") },
    { name: "valid-pairs-per-prompt", type: "number", default: DEFAULTS.valid_pairs_per_prompt, description: describe("valid_pairs_per_prompt") },
    { name: "valid-margin", type: "number", default: DEFAULTS.valid_margin, description: describe("valid_margin") },
    { name: "match-checks", type: "boolean", description: describe("match_checks") },
    { name: "temperature", type: "number", default: DEFAULTS.temperature, description: describe("temperature") },
    { name: "max-new-tokens", type: "number", default: DEFAULTS.max_new_tokens, description: describe("max_new_tokens") },
    { name: "mutants", type: "boolean", default: DEFAULTS.mutants, description: `${describe("mutants")} (--no-mutants to skip)` },
    { name: "coverage", type: "boolean", description: describe("coverage") },
    { name: "seed", type: "number", default: 0, description: "sampling seed: same seed, same samples" },
    ...sandboxFlags,
    { name: "quiet", type: "boolean", description: "no progress bars" },
  ],
  async run(args) {
    const n = numberFlag(args, "n", DEFAULTS.n, (v) => Number.isInteger(v) && v >= 2, "an integer >= 2");
    const margin = numberFlag(args, "margin", DEFAULTS.margin, (v) => v >= 0 && v <= 1, "in [0, 1]");
    const pairsPerPrompt = numberFlag(args, "pairs-per-prompt", DEFAULTS.pairs_per_prompt, (v) => Number.isInteger(v) && v >= 1, "a positive integer");
    const validPairsPerPrompt = numberFlag(args, "valid-pairs-per-prompt", DEFAULTS.valid_pairs_per_prompt, (v) => Number.isInteger(v) && v >= 0, "a non-negative integer");
    const validMargin = numberFlag(args, "valid-margin", DEFAULTS.valid_margin, (v) => v > 0 && v <= 1, "in (0, 1] (a tie is never a pair)");
    const temperature = numberFlag(args, "temperature", DEFAULTS.temperature, (v) => v > 0, "> 0");
    const maxNewTokens = numberFlag(args, "max-new-tokens", DEFAULTS.max_new_tokens, (v) => Number.isInteger(v) && v > 0, "a positive integer");
    const seed = numberFlag(args, "seed", 0, (v) => Number.isInteger(v) && v >= 0, "a non-negative integer");
    const reward = rewardArg(args);
    const mutants = mutantsArg(args, reward);
    const tasks = await loadTaskMap(flag.need(args, "tasks"));
    const out = flag.need(args, "out");
    const pool = await startPoolFromArgs(args);
    try {
      const stats = await buildPreferencePairs({
        model: flag.need(args, "model"),
        adapter: flag.str(args, "adapter"),
        tasks: [...tasks.values()],
        outDir: out,
        n,
        margin,
        pairsPerPrompt,
        validPairsPerPrompt,
        validMargin,
        matchChecks: flag.bool(args, "match-checks"),
        reward,
        mutants,
        coverage: flag.bool(args, "coverage"),
        maxMutants: maxMutantsArg(args),
        sampling: { temperature, top_p: DEFAULTS.top_p, max_new_tokens: maxNewTokens, batch_size: DEFAULTS.batch_size },
        seed,
        executor: pool,
        runTimeoutS: flag.num(args, "timeout-run-s"),
        quiet: flag.bool(args, "quiet"),
      });
      const { dropped } = stats;
      process.stdout.write(
        `${stats.pairs} pairs from ${stats.prompts_with_pairs} of ${stats.prompts} prompts (${stats.valid_samples} of ${stats.samples} samples valid); ` +
          `dropped: ${dropped.all_invalid} all failed, ${dropped.all_tie} all tied, ${dropped.below_margin} below the margin, ${dropped.checks_unmatched} without a worse sample writing as few checks, ` +
          `${dropped.no_samples} without samples; ` +
          `${stats.pairs_by_type.valid_vs_valid} pairs valid vs valid\n` +
          `${prefsFiles(out).pairs}\n${prefsFiles(out).stats}\n`,
      );
      return 0;
    } catch (error) {
      return exitOnInterrupt(error);
    } finally {
      await pool.close();
    }
  },
};
