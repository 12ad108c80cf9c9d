/**
 * `npm run bench:train`: training throughput of each job (sft, dpo, ppo, grpo) on the tiny
 * default model (the run config's `model.tiny`, randomly initialised) and TinyTests tasks,
 * printed as a table with SFT, measured in the same run, as the baseline.
 *
 *   npm run bench:train                      # sandbox with bubblewrap
 *   npm run bench:train -- --isolation none  # where bubblewrap cannot run
 *
 * tokens/s counts what each job pushes through the model per second of its steps: prompt and
 * completion tokens of the training batches (sft, dpo: chosen and rejected), of the sampled
 * groups (grpo) or of the rollouts (ppo); the online jobs spend most of a step generating.
 * A random model writes no valid Python, so the sandbox is barely used: this measures the
 * trainer, not the scoring.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { runConfigSchema } from "../src/config/run-config.js";
import { runEngineJob, type EngineJobResult } from "../src/engine/job.js";
import { buildPrompt, buildTarget } from "../src/prompts/template.js";
import { startRewardService } from "../src/quality/service.js";
import { SandboxPool } from "../src/sandbox/pool.js";
import { generateTinyTests } from "../src/tasks/tinytests/index.js";
import { writeJsonl } from "../src/util/jsonl.js";

interface Row {
  job: string;
  steps: number;
  wallS: number;
  tokensPerS: number;
  samplesPerS: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Median of the per-step rates, leaving out the first step (allocation and warm-up). */
function row(job: string, steps: number, result: EngineJobResult): Row {
  const rated = result.metrics.filter((m) => typeof m.tokens_per_s === "number").slice(1);
  return {
    job,
    steps,
    wallS: result.durationMs / 1000,
    tokensPerS: median(rated.map((m) => m.tokens_per_s as number)),
    samplesPerS: median(rated.map((m) => m.samples_per_s as number)),
  };
}

function printTable(rows: Row[]): void {
  const baseline = rows[0]?.tokensPerS ?? Number.NaN; // sft, the first row
  const header = ["job", "steps", "wall s", "tokens/s", "samples/s", "tokens/s vs sft"];
  const lines = rows.map((r) => [r.job, String(r.steps), r.wallS.toFixed(1), r.tokensPerS.toFixed(0), r.samplesPerS.toFixed(2), `${(r.tokensPerS / baseline).toFixed(2)}x`]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const format = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
  process.stdout.write(`${format(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${lines.map(format).join("\n")}\n`);
}

async function main(): Promise<void> {
  const isolationArg = process.argv.indexOf("--isolation");
  const isolation = isolationArg === -1 ? "bubblewrap" : process.argv[isolationArg + 1];
  if (isolation !== "bubblewrap" && isolation !== "none") throw new Error(`--isolation takes bubblewrap or none, got ${String(isolation)}`);
  const root = mkdtempSync(join(tmpdir(), "testtune-bench-train-"));
  const tiny = runConfigSchema.parse({}).model.tiny;
  const tasks = (await generateTinyTests({ seed: 1, trainCount: 64, evalCount: 1, tiers: [1, 2] })).filter((t) => t.split === "train");
  const files = { sft: join(root, "sft.jsonl"), pairs: join(root, "pairs.jsonl"), prompts: join(root, "prompts.jsonl"), tasks: join(root, "tasks.jsonl") };
  writeJsonl(files.sft, tasks.map((t) => ({ prompt: buildPrompt(t), completion: buildTarget(t) })));
  // A rejected file: the first half of the reference, so both sides are plausible Python.
  writeJsonl(files.pairs, tasks.map((t) => ({ prompt: buildPrompt(t), chosen: buildTarget(t), rejected: buildTarget(t).split("\n").slice(0, 4).join("\n") })));
  writeJsonl(files.prompts, tasks.map((t) => ({ task_id: t.id, prompt: buildPrompt(t) })));
  process.stdout.write(`tiny default model (hidden ${tiny.hidden_size}, ${tiny.num_layers} layers, vocab ${tiny.vocab_size}), ${tasks.length} TinyTests tasks, ${cpus().length} cores\n`);

  const model = join(root, "model");
  await runEngineJob(
    "pretrain",
    { corpus: files.sft, output_dir: model, vocab_size: tiny.vocab_size, hidden_size: tiny.hidden_size, num_layers: tiny.num_layers, num_heads: tiny.num_heads, num_kv_heads: tiny.num_heads, intermediate_size: tiny.intermediate_size, max_position_embeddings: tiny.max_position },
    { quiet: true },
  );
  const common = { model, logging_steps: 1, save_steps: 1000, seed: 0 };
  const rows: Row[] = [];
  rows.push(row("sft (full)", 12, await runEngineJob("sft", { base_model: model, data: files.sft, output_dir: join(root, "sft"), method: "full", max_steps: 12, batch_size: 8, max_length: 512, logging_steps: 1, save_steps: 1000 }, { quiet: true })));
  rows.push(row("dpo (lora)", 8, await runEngineJob("dpo", { ...common, data: files.pairs, output_dir: join(root, "dpo"), max_steps: 8, batch_size: 4, max_length: 512 }, { quiet: true })));

  const pool = await SandboxPool.start({ workers: cpus().length, isolation });
  const service = await startRewardService({ tasks: new Map(tasks.map((t) => [t.id, t])), executor: pool, reward: "quality", port: 0 });
  try {
    const rewards = { prompts: files.prompts, reward_url: `${service.url}/v1/score` };
    rows.push(row("ppo (lora)", 4, await runEngineJob("ppo", { ...common, ...rewards, output_dir: join(root, "ppo"), max_steps: 4, batch_size: 4, ppo_epochs: 2, max_new_tokens: 64 }, { quiet: true })));
    rows.push(row("grpo (lora)", 4, await runEngineJob("grpo", { ...common, ...rewards, output_dir: join(root, "grpo"), max_steps: 4, num_generations: 4, batch_size: 8, max_completion_length: 64 }, { quiet: true })));
  } finally {
    await service.close();
    await pool.close();
  }
  printTable(rows);
  rmSync(root, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:train failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
