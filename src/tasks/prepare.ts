/**
 * `testtune data prepare`: a source's rows -> tasks.jsonl, sft.jsonl and stats.json.
 *
 * Order of steps: load (the adapter's own drops) -> dedup by normalised code -> splits
 * (hash of seed and id, for tasks the source did not split) -> token-length filter -> seeded
 * order -> verification in the sandbox (only as many as --limit needs) -> write. Every task left
 * out is counted by reason in stats.json.
 */
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { expandKinds, type ExpandResult } from "../kinds/expand.js";
import { writeJson, writeJsonl } from "../util/jsonl.js";
import { dedupByCode } from "./dedup.js";
import { writeTasks } from "./io.js";
import type { KindName, Task } from "./schema.js";
import { chatTemplateFor, hasSftTarget, sftRow, trainingText } from "./sft.js";
import { sourceByName, type Drop } from "./sources/index.js";
import { assignSplits, seededOrder } from "./split.js";
import { computeStats, type TaskStats } from "./stats.js";
import { TokenCounter } from "./tokens.js";
import { verifyTasks, type Executor } from "./verify.js";

export interface PrepareOptions {
  source: string;
  input?: string;
  out: string;
  seed: number;
  evalFraction: number;
  limit?: number;
  tokenizer?: string;
  maxTokens?: number;
  chatTemplate: boolean;
  /** Drop tasks whose normalised code repeats an earlier task's (default true). */
  dedup?: boolean;
  tiers?: number[];
  repoEnv?: string;
  /** The sandbox, when reference tests are to be verified. */
  executor?: Executor;
  log: (line: string) => void;
  /** Called after each verification run with the number run so far. */
  onVerify?: (ran: number) => void;
  /** Task kinds to make from each selected task (src/kinds/expand.ts); unit_test alone when absent. */
  kinds?: KindName[];
  /** The sandbox for bugfix (it keeps only bugs the reference tests kill). */
  kindsExecutor?: Executor;
}

export interface PrepareStats {
  source: string;
  input: string | null;
  license: string | null;
  seed: number;
  eval_fraction: number;
  limit: number | null;
  prompt_template: "tests-only" | "chat";
  tokenizer: string | null;
  max_tokens: number | null;
  rows_read: number;
  tasks_written: number;
  sft_pairs: number;
  dropped: { total: number; by_reason: Record<string, number>; tasks: Drop[] };
  verify: { ran: number; passed: number; not_run_without_tests: number; isolation: string | null } | null;
  seconds: { load: number; verify: number; total: number };
  summary: TaskStats;
  /** Per kind, tasks made and tasks not made by reason (with --kinds). */
  kinds?: ExpandResult["counts"];
}

const LISTED_DROPS = 2000; // individual drops listed in stats.json; counts cover all of them

function countByReason(drops: Drop[], extra: Record<string, number>): Record<string, number> {
  const counts: Record<string, number> = { ...extra };
  for (const drop of drops) counts[drop.reason] = (counts[drop.reason] ?? 0) + 1;
  return counts;
}

function checkOptions(options: PrepareOptions): void {
  if (!(options.evalFraction >= 0 && options.evalFraction <= 1)) throw new UsageError(`--eval-fraction must be between 0 and 1, got ${options.evalFraction}`);
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit > 0)) throw new UsageError(`--limit must be a positive integer, got ${options.limit}`);
  if (options.maxTokens !== undefined && options.tokenizer === undefined) throw new UsageError("--max-tokens needs --tokenizer <tokenizer.json>", "the length is measured with the model's own tokenizer");
}

export async function prepare(options: PrepareOptions): Promise<PrepareStats> {
  checkOptions(options);
  const started = Date.now();
  const adapter = sourceByName(options.source);
  if (adapter.license !== undefined) options.log(`licence: ${adapter.license}`);
  const chat = chatTemplateFor(options.tokenizer, options.chatTemplate);
  const counter = options.tokenizer === undefined ? undefined : TokenCounter.load(options.tokenizer);
  const loaded = await adapter.load({ ...options, log: options.log });
  const loadSeconds = (Date.now() - started) / 1000;
  options.log(`read ${loaded.rows} rows -> ${loaded.tasks.length} tasks in ${loadSeconds.toFixed(1)}s`);
  const drops: Drop[] = [...loaded.drops];
  const deduped = options.dedup === false ? { kept: loaded.tasks, drops: [] } : dedupByCode(loaded.tasks);
  drops.push(...deduped.drops);
  let tasks = assignSplits(deduped.kept, options.seed, options.evalFraction);
  const tokens = new Map<string, number>();
  if (counter !== undefined) for (const task of tasks) tokens.set(task.id, counter.count(trainingText(task, chat)));
  if (options.maxTokens !== undefined) {
    const max = options.maxTokens;
    for (const task of tasks) if ((tokens.get(task.id) ?? 0) > max) drops.push({ id: task.id, reason: `longer than ${max} tokens`, detail: `${tokens.get(task.id)} tokens` });
    tasks = tasks.filter((t) => (tokens.get(t.id) ?? 0) <= max);
  }
  const position = new Map(tasks.map((t, i) => [t.id, i]));
  const { selected, verify, verifySeconds } = await select(seededOrder(tasks, options.seed), options, drops);
  const notSelected = tasks.length - selected.length - (verify === null ? 0 : verify.ran - verify.passed);
  const sorted = [...selected].sort((a, b) => (position.get(a.id) as number) - (position.get(b.id) as number));
  const expanded = options.kinds === undefined ? undefined : await expandKinds(sorted, options.kinds, { seed: options.seed, executor: options.kindsExecutor });
  const final = expanded?.tasks ?? sorted;
  const sft = final.filter((t) => t.split === "train" && hasSftTarget(t)).map((t) => sftRow(t, chat));
  writeTasks(join(options.out, "tasks.jsonl"), final);
  writeJsonl(join(options.out, "sft.jsonl"), sft);
  const byReason = countByReason(drops, { ...(loaded.skipped ?? {}), ...(notSelected > 0 ? { "not selected (--limit)": notSelected } : {}) });
  const stats: PrepareStats = {
    source: adapter.name,
    input: options.input ?? null,
    license: adapter.license ?? null,
    seed: options.seed,
    eval_fraction: options.evalFraction,
    limit: options.limit ?? null,
    prompt_template: chat === undefined ? "tests-only" : "chat",
    tokenizer: counter?.file ?? null,
    max_tokens: options.maxTokens ?? null,
    rows_read: loaded.rows,
    tasks_written: final.length,
    sft_pairs: sft.length,
    dropped: { total: Object.values(byReason).reduce((a, b) => a + b, 0), by_reason: byReason, tasks: drops.slice(0, LISTED_DROPS) },
    verify,
    seconds: { load: loadSeconds, verify: verifySeconds, total: (Date.now() - started) / 1000 },
    summary: computeStats(final, counter === undefined ? undefined : (t) => tokens.get(t.id) ?? 0),
    ...(expanded === undefined ? {} : { kinds: expanded.counts }),
  };
  writeJson(join(options.out, "stats.json"), stats);
  return stats;
}

/**
 * Takes tasks in seeded order up to --limit, verifying as it goes when a sandbox is given, so
 * a small subset of a large source costs only the runs it needs.
 */
async function select(ordered: Task[], options: PrepareOptions, drops: Drop[]): Promise<{ selected: Task[]; verify: PrepareStats["verify"]; verifySeconds: number }> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (options.executor === undefined) return { selected: ordered.slice(0, limit), verify: null, verifySeconds: 0 };
  const started = Date.now();
  const selected: Task[] = [];
  const verify = { ran: 0, passed: 0, not_run_without_tests: 0, isolation: null as string | null };
  let next = 0;
  while (selected.length < limit && next < ordered.length) {
    const want = Math.min(ordered.length - next, Math.max(16, Math.ceil((limit - selected.length) * 1.1)));
    const batch = ordered.slice(next, next + want);
    next += want;
    const withTests = batch.filter((t) => t.tests !== undefined);
    verify.not_run_without_tests += batch.length - withTests.length;
    const outcome = await verifyTasks(withTests, options.executor, {
      onResult: () => {
        verify.ran += 1;
        options.onVerify?.(verify.ran);
      },
    });
    verify.passed += outcome.passed.length;
    verify.isolation = outcome.isolation ?? verify.isolation;
    drops.push(...outcome.drops);
    const passedIds = new Set(outcome.passed.map((t) => t.id));
    for (const task of batch) if ((task.tests === undefined || passedIds.has(task.id)) && selected.length < limit) selected.push(task);
  }
  return { selected, verify, verifySeconds: (Date.now() - started) / 1000 };
}
