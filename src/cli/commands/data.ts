/** `testtune data`: prepare tasks from a source, print their statistics, distill tests from a teacher. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../errors.js";
import { distill } from "../../tasks/distill.js";
import { readTasks } from "../../tasks/io.js";
import { prepare } from "../../tasks/prepare.js";
import { chatTemplateFor, trainingText } from "../../tasks/sft.js";
import { SOURCES } from "../../tasks/sources/index.js";
import { computeStats, formatStats } from "../../tasks/stats.js";
import { TokenCounter } from "../../tasks/tokens.js";
import { Progress } from "../../util/progress.js";
import { flag, type Command, type FlagSpec, type ParsedArgs } from "../command.js";
import { checkKinds, expandKinds, kindsNeedSandbox, type ExpandResult } from "../../kinds/expand.js";
import { exportCommand } from "./data-export.js";
import { DEFAULT_SEED } from "./data-flags.js";
import { poolFlags, startPoolFromArgs } from "./score.js";
import { tracesCommand } from "./data-traces.js";

const promptFlags: FlagSpec[] = [
  { name: "tokenizer", type: "string", value: "<tokenizer.json|model dir>", description: "the model's tokenizer: token counts, and the chat template's location" },
  { name: "chat-template", type: "boolean", description: "render prompts with the tokenizer's chat template (instruct models)" },
];

/** Per kind: tasks made (text kinds: how many references pass their check) and tasks not made, by reason. */
function kindLines(counts: ExpandResult["counts"]): string[] {
  return Object.entries(counts).map(([kind, c]) => {
    const checked = c.reference_passed === undefined ? "" : ` (reference passes its check: ${c.reference_passed}${c.reference_unchecked ? `, ${c.reference_unchecked} with examples not run` : ""})`;
    const dropped = Object.keys(c.dropped).length > 0 ? `; not made: ${Object.entries(c.dropped).map(([r, n]) => `${n} ${r}`).join(", ")}` : "";
    return `  kind ${kind}: ${c.made} tasks${checked}${dropped}`;
  });
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

const prepareCommand: Command = {
  name: "prepare",
  summary: "Convert a dataset into tasks.jsonl, sft.jsonl and stats.json.",
  description: `Sources: ${SOURCES.map((s) => `\n  ${s.name.padEnd(12)} ${s.summary}`).join("")}

Without --input the source is downloaded from the Hugging Face hub (needs a network).
Splits come from the source when it has them (TinyTests), otherwise from a hash of
(--seed, task id). See docs/data.md.`,
  flags: [
    { name: "source", type: "string", required: true, value: "<name>", description: "dataset adapter" },
    { name: "input", type: "string", value: "<path>", description: "downloaded file (.jsonl, .jsonl.gz, .json, .parquet) or directory" },
    { name: "out", type: "string", required: true, value: "<dir>", description: "output directory" },
    { name: "verify", type: "boolean", description: "run every reference test file in the sandbox; keep only tasks whose tests pass" },
    { name: "dedup", type: "boolean", default: true, description: "drop tasks whose normalised code repeats an earlier one (--no-dedup keeps them)" },
    ...promptFlags,
    { name: "max-tokens", type: "number", description: "drop tasks whose prompt + target is longer (needs --tokenizer)" },
    { name: "limit", type: "number", description: "at most this many tasks (a seeded subset); TinyTests makes exactly this many (default 1000)" },
    { name: "seed", type: "number", default: DEFAULT_SEED, description: "seed for splits, subsets and generation" },
    { name: "eval-fraction", type: "number", default: 0.1, description: "fraction of tasks in the eval split" },
    { name: "tiers", type: "list", value: "<1,2,...>", description: "TinyTests: tiers to generate (default 1-5)" },
    { name: "repo-env", type: "string", value: "<dir>", description: "TestGenEval: the repositories' environment; without it tasks that need one are skipped" },
    { name: "kinds", type: "list", value: "<kind,...>", description: "task kinds to make from each task (default unit_test): unit_test, solve, complete, bugfix, docstring, explain (docs/kinds.md); bugfix, docstring and explain run the sandbox" },
    ...poolFlags,
  ],
  async run(args) {
    const out = flag.need(args, "out");
    const kindList = flag.list(args, "kinds");
    const kinds = kindList === undefined ? undefined : checkKinds(kindList, { file: "--kinds", field: "" });
    const tiers = flag.list(args, "tiers")?.map((t) => {
      const n = Number(t);
      if (!Number.isInteger(n)) throw new UsageError(`--tiers takes tier numbers 1-5, got '${t}'`);
      return n;
    });
    const executor = flag.bool(args, "verify") ? await startPoolFromArgs(args) : undefined;
    // bugfix keeps only bugs the reference tests kill, docstring references run their examples: both need the sandbox even without --verify
    const kindsExecutor = kinds !== undefined && kindsNeedSandbox(kinds) ? (executor ?? (await startPoolFromArgs(args))) : undefined;
    const progress = new Progress({ label: "verify", unit: "task" });
    try {
      const stats = await prepare({
        source: flag.need(args, "source"),
        input: flag.str(args, "input"),
        out,
        seed: flag.num(args, "seed") ?? DEFAULT_SEED,
        evalFraction: flag.num(args, "eval-fraction") ?? 0.1,
        limit: flag.num(args, "limit"),
        tokenizer: flag.str(args, "tokenizer"),
        maxTokens: flag.num(args, "max-tokens"),
        chatTemplate: flag.bool(args, "chat-template"),
        dedup: flag.bool(args, "dedup"),
        tiers,
        repoEnv: flag.str(args, "repo-env"),
        executor,
        kinds,
        kindsExecutor,
        log,
        onVerify: (ran) => progress.update(ran),
      });
      if (stats.verify !== null) progress.finish(`${stats.verify.passed} passed`);
      const lines = [`${stats.tasks_written} tasks (${stats.summary.with_tests} with reference tests), ${stats.sft_pairs} SFT pairs -> ${out}`];
      if (stats.verify !== null) lines.push(`verified ${stats.verify.ran} reference test files in the sandbox (${stats.verify.isolation ?? "no runs"}): ${stats.verify.passed} passed`);
      lines.push(...kindLines(stats.kinds ?? {}));
      if (stats.dropped.total > 0) lines.push(`left out (${stats.dropped.total}), by reason:`);
      for (const [reason, count] of Object.entries(stats.dropped.by_reason)) lines.push(`  ${String(count).padStart(6)}  ${reason}`);
      if (stats.license !== null) lines.push(`licence: ${stats.license}`);
      lines.push(`details: ${join(out, "stats.json")}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    } finally {
      await executor?.close();
      if (kindsExecutor !== executor) await kindsExecutor?.close();
    }
  },
};

const statsCommand: Command = {
  name: "stats",
  summary: "Counts, length percentiles, per source and category, and how many tasks have reference tests.",
  positionals: [{ name: "file", description: "a tasks.jsonl file", required: true }],
  flags: [...promptFlags, { name: "json", type: "boolean", description: "print JSON instead of a table" }],
  async run(args) {
    const tasks = await readTasks(args.positionals[0] as string);
    const tokenizer = flag.str(args, "tokenizer");
    const counter = tokenizer === undefined ? undefined : TokenCounter.load(tokenizer);
    const chat = chatTemplateFor(tokenizer, flag.bool(args, "chat-template"));
    const stats = computeStats(tasks, counter === undefined ? undefined : (t) => counter.count(trainingText(t, chat)));
    process.stdout.write(flag.bool(args, "json") ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats));
  },
};

const distillCommand: Command = {
  name: "distill",
  summary: "Ask a teacher model (OpenAI-compatible) for test files (or answers of --kinds); keep the valid ones as SFT data.",
  description: `Valid means: the extracted test file passes on the task's reference code in the sandbox and
at least one assertion ran. With --kinds, tasks of those kinds are made from each task and an
answer is kept when it is not too long, has no placeholder, compiles (code kinds) and passes its
kind's check; every kind drops answers whose instruction and answer repeat an earlier one. Writes <out>/sft.jsonl (kept files), <out>/samples.jsonl (every answer
with the reason it was kept or not) and <out>/stats.json. OPENAI_API_KEY is sent when set.`,
  flags: [
    { name: "teacher", type: "string", required: true, value: "<url>", description: "server base URL, e.g. http://127.0.0.1:8000" },
    { name: "model", type: "string", required: true, value: "<name>", description: "model name the server knows" },
    { name: "tasks", type: "string", required: true, value: "<tasks.jsonl>", description: "tasks to write tests for" },
    { name: "out", type: "string", required: true, value: "<dir>", description: "output directory" },
    { name: "n", type: "number", default: 4, description: "answers per task" },
    { name: "split", type: "string", default: "train", value: "<train|eval|all>", description: "which tasks of the file to use" },
    { name: "temperature", type: "number", default: 0.7, description: "sampling temperature" },
    { name: "max-new-tokens", type: "number", default: 1024, description: "longest answer" },
    { name: "kinds", type: "list", value: "<kind,...>", description: "task kinds to ask for, made from each task (default unit_test: test files); answers pass their kind's check (docs/kinds.md)" },
    { name: "seed", type: "number", default: DEFAULT_SEED, description: "seed for choosing the injected bug of bugfix tasks" },
    { name: "concurrency", type: "number", default: 4, description: "tasks asked at once" },
    { name: "request-timeout", type: "number", value: "<seconds>", default: 300, description: "limit per teacher request" },
    ...promptFlags,
    ...poolFlags,
  ],
  async run(args) {
    const split = flag.need(args, "split");
    const all = await readTasks(flag.need(args, "tasks"));
    const chosen = split === "all" ? all : all.filter((t) => t.split === split);
    if (chosen.length === 0) throw new UsageError(`no ${split} tasks in ${flag.need(args, "tasks")}`, "pass --split all, or a file with that split");
    const kindList = flag.list(args, "kinds");
    const kinds = kindList === undefined ? undefined : checkKinds(kindList, { file: "--kinds", field: "" });
    const n = flag.num(args, "n") ?? 4;
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--n must be a positive integer, got ${n}`);
    const out = flag.need(args, "out");
    mkdirSync(out, { recursive: true });
    const chat = chatTemplateFor(flag.str(args, "tokenizer"), flag.bool(args, "chat-template"));
    const executor = await startPoolFromArgs(args);
    try {
      const expanded = kinds === undefined ? undefined : await expandKinds(chosen, kinds, { seed: flag.num(args, "seed") ?? DEFAULT_SEED, executor, timeoutS: flag.num(args, "timeout-run-s") });
      if (expanded !== undefined) process.stderr.write(`${kindLines(expanded.counts).join("\n")}\n`);
      const tasks = expanded?.tasks ?? chosen;
      const progress = new Progress({ label: "distill", total: tasks.length, unit: "task" });
      const stats = await distill({
        teacher: {
          url: flag.need(args, "teacher"),
          model: flag.need(args, "model"),
          temperature: flag.num(args, "temperature") ?? 0.7,
          maxTokens: flag.num(args, "max-new-tokens") ?? 1024,
          timeoutMs: (flag.num(args, "request-timeout") ?? 300) * 1000,
          apiKey: process.env.OPENAI_API_KEY,
        },
        tasks,
        out,
        n,
        concurrency: flag.num(args, "concurrency") ?? 4,
        executor,
        chat,
        onTask: (done, kept) => progress.update(done, undefined, `${kept} kept`),
      });
      progress.finish();
      const reasons = Object.entries(stats.by_reason).map(([reason, count]) => `  ${String(count).padStart(6)}  ${reason}`);
      const perKind = kinds === undefined ? [] : Object.entries(stats.by_kind).map(([kind, c]) => `  ${kind.padEnd(10)} ${c.kept} of ${c.answers} kept`);
      process.stdout.write(`${stats.kept} of ${stats.answers_received} answers kept (${stats.tasks_with_a_kept_file}/${stats.tasks} tasks) -> ${join(out, "sft.jsonl")}\n${[...perKind, ...reasons].join("\n")}\n`);
    } finally {
      await executor.close();
    }
  },
};

export const dataCommand: Command = {
  name: "data",
  summary: "Prepare task data (HumanEval, MBPP, KodCode, TestGenEval, a Python corpus, TinyTests), stats, distillation, export, synthetic repair traces.",
  subcommands: [prepareCommand, statsCommand, distillCommand, exportCommand, tracesCommand],
};
