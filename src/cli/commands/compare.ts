import { resolve } from "node:path";
import { compareResults, pairModels, type ComparedSide } from "../../eval/compare-results.js";
import { locateResults, readResults } from "../../eval/results-file.js";
import { UsageError } from "../../errors.js";
import { comparisonNote, comparisonTable, markdownTable } from "../../report/tables.js";
import { flag, type Command } from "../command.js";

function side(label: "A" | "B", dir: string): ComparedSide {
  const file = locateResults(resolve(dir));
  return { label, file, summary: readResults(file) };
}

export const compareCommand: Command = {
  name: "compare",
  summary: "Compare two evaluations of the same tasks, model by model: paired differences and tests (B against A).",
  description: `DIR_A and DIR_B are run directories (their eval/results.json) or eval directories (results.json).
Models are paired by name (--models sft,dpo), or NAME_A=NAME_B for models named differently; two
results of one model each are paired as they are. For pass@1 and the mutation score: the mean
per-task difference B - A with a percentile bootstrap interval, and the paired t-test, Wilcoxon
signed-rank, sign-flip and (one sample per task only) McNemar tests, Holm-adjusted when several
pairs are compared. Both sides must have been evaluated on the same tasks. docs/results.md
describes the JSON.`,
  positionals: [
    { name: "DIR_A", description: "the baseline: a run directory or an eval directory", required: true },
    { name: "DIR_B", description: "the run or eval directory compared with it", required: true },
  ],
  flags: [
    { name: "models", type: "list", value: "<name|a=b,...>", description: "model pairs to compare (default: the models in both)" },
    { name: "seed", type: "number", value: "<n>", default: 0, description: "seed of the bootstrap and sign-flip resampling" },
    { name: "json", type: "boolean", description: "print the comparisons as JSON (each test under its own name)" },
  ],
  async run(args) {
    if (args.positionals.length !== 2) throw new UsageError(`'compare' takes two directories, got ${args.positionals.length}`, "testtune compare DIR_A DIR_B");
    const seed = flag.num(args, "seed") ?? 0;
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, got ${seed}`);
    const a = side("A", args.positionals[0] as string);
    const b = side("B", args.positionals[1] as string);
    const pairs = pairModels(a, b, flag.list(args, "models"));
    const comparisons = compareResults(a, b, pairs, { seed });
    if (flag.bool(args, "json")) {
      const about = (s: ComparedSide): Record<string, unknown> => ({ results: s.file, testtune_version: s.summary.testtune_version });
      process.stdout.write(`${JSON.stringify({ a: about(a), b: about(b), seed, pairs, comparisons }, null, 2)}\n`);
      return 0;
    }
    const lines = [`A: ${a.file}`, `B: ${b.file}`, "", markdownTable(comparisonTable(comparisons)), "", comparisonNote(comparisons)];
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  },
};
