/** `testtune refine`: generate, run, and repair failing test files from their pytest logs; write the traces. */
import { exitOnInterrupt } from "../../engine/job-errors.js";
import { UsageError } from "../../errors.js";
import { formatRepairTable } from "../../eval/repair-results.js";
import { resolveModelSource } from "../../model/source.js";
import { findChatTemplate } from "../../prompts/chat-template.js";
import { loadTaskMap } from "../../quality/inputs.js";
import { refine, refineFiles } from "../../train/refine.js";
import { flag, type Command, type ParsedArgs } from "../command.js";
import { rewardArg, rewardFlag, poolFlags, startPoolFromArgs } from "./score.js";

const HELP = "'testtune refine --help' lists the flags; docs/training.md, 'testtune refine', explains the loop";

function intFlag(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const value = flag.num(args, name) ?? fallback;
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${value}`, HELP);
  return value;
}

export const refineCommand: Command = {
  name: "refine",
  summary: "Repair failing test files from their pytest logs, round by round; write failure -> fix traces and pass@1 per round.",
  description: `Samples --n test files per task (round 0), runs them in the sandbox, and shows each failing one back
to the model with its trimmed pytest failure log (the failing assertion, the exception, the outcome)
in a repair prompt, up to --rounds times. Writes <out>/traces.jsonl (one {task_id, code, failed_test,
failure_log, fixed_test, round, reward} per repair that ended valid: stage C of a curriculum trains on
them), <out>/results.json (pass@1 after each round, round 0 first, each paired by task against round 0)
and each round's files under <out>/round-<r>/. Interrupt at any time and run the same command again.`,
  flags: [
    { name: "model", type: "string", value: "<spec>", required: true, description: "a model directory, a LoRA adapter directory, or RUN_DIR/STAGE (e.g. runs/x/sft)" },
    { name: "tasks", type: "string", value: "<tasks.jsonl>", required: true, description: "the tasks to write tests for (id, code, module, ...)" },
    { name: "out", type: "string", value: "<dir>", required: true, description: "output directory" },
    { name: "rounds", type: "number", default: 2, description: "repair rounds after round 0" },
    { name: "n", type: "number", default: 1, description: "test files sampled per task in round 0 (each is repaired on its own)" },
    { name: "temperature", type: "number", default: 0.8, description: "sampling temperature, every round" },
    { name: "max-new-tokens", type: "number", default: 256, description: "longest test file in tokens" },
    { name: "batch-size", type: "number", default: 64, description: "sequences per forward pass (the samples do not depend on it)" },
    { name: "chat-template", type: "string", value: "<auto|none>", default: "auto", description: "auto: prompts through the model's chat template when it has one; none: the plain prompt" },
    rewardFlag,
    { name: "seed", type: "number", default: 0, description: "sampling seed: same seed, same samples (round r samples with seed + r)" },
    ...poolFlags,
    { name: "quiet", type: "boolean", description: "no progress bars" },
  ],
  async run(args) {
    const rounds = intFlag(args, "rounds", 2, 0);
    const n = intFlag(args, "n", 1, 1);
    const maxNewTokens = intFlag(args, "max-new-tokens", 256, 1);
    const batchSize = intFlag(args, "batch-size", 64, 1);
    const seed = intFlag(args, "seed", 0, 0);
    const temperature = flag.num(args, "temperature") ?? 0.8;
    if (!(temperature >= 0)) throw new UsageError(`--temperature must be >= 0, got ${temperature}`, HELP);
    const chatMode = flag.str(args, "chat-template") ?? "auto";
    if (chatMode !== "auto" && chatMode !== "none") throw new UsageError(`--chat-template must be auto or none, got '${chatMode}'`, HELP);
    const quiet = flag.bool(args, "quiet");
    const source = await resolveModelSource(flag.need(args, "model"), { quiet });
    const chat = chatMode === "auto" ? findChatTemplate(source.model) : undefined;
    const tasks = [...(await loadTaskMap(flag.need(args, "tasks"))).values()];
    const out = flag.need(args, "out");
    const pool = await startPoolFromArgs(args);
    try {
      const result = await refine({
        model: source.model,
        adapter: source.adapter,
        tasks,
        outDir: out,
        n,
        executor: pool,
        settings: {
          rounds,
          sampling: { temperature, top_p: 0.95, max_new_tokens: maxNewTokens, batch_size: batchSize },
          seed,
          prompt: chat === undefined ? {} : { chat },
          reward: rewardArg(args),
          timeoutS: flag.num(args, "timeout-run-s"),
          quiet,
          log: (m) => process.stderr.write(`${m}\n`),
        },
      });
      process.stdout.write(`${formatRepairTable(result)}\n${result.traces} traces (repairs that ended valid) in ${refineFiles(out).traces}\n${refineFiles(out).results}\n`);
      return 0;
    } catch (error) {
      return exitOnInterrupt(error);
    } finally {
      await pool.close();
    }
  },
};
