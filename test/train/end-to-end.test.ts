/**
 * The TypeScript side of training against the real engine and sandbox, on a tiny random Llama:
 * `testtune prefs` (sampling resumed from a samples file, scoring, pairing) and `testtune train
 * grpo` (sandbox, reward service and job together). Test runs use isolation "none": the
 * only code run is this file's fixtures and a random model's output.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runEngineJob } from "../../src/engine/job.js";
import { SandboxPool } from "../../src/sandbox/pool.js";
import type { Task } from "../../src/tasks/schema.js";
import { readJsonlSync, writeJsonl } from "../../src/util/jsonl.js";
import { buildPreferencePairs, prefsFiles } from "../../src/train/prefs.js";
import { runTrainJob } from "../../src/train/run-train.js";

const root = mkdtempSync(join(tmpdir(), "testtune-train-e2e-"));
after(() => rmSync(root, { recursive: true, force: true }));
const tasks: Task[] = [
  { id: "t/add", source: "test", code: "def add(a, b):\n    return a + b\n", module: "solution", entry_points: ["add"], metadata: {} },
  { id: "t/neg", source: "test", code: "def neg(x):\n    return -x\n", module: "solution", entry_points: ["neg"], metadata: {} },
];
const tasksFile = join(root, "tasks.jsonl");
writeJsonl(tasksFile, tasks);

/** A tiny random Llama with a tokenizer trained on the fixtures (the engine's pretrain job, no steps). */
const tinyModel = (async () => {
  const corpus = join(root, "corpus.jsonl");
  writeJsonl(corpus, Array.from({ length: 40 }, (_, i) => ({ text: `def f${i}(x):\n    return x + ${i}\n\ndef test_f${i}():\n    assert f${i}(1) == ${i + 1}\n` })));
  const dir = join(root, "model");
  await runEngineJob(
    "pretrain",
    { corpus, output_dir: dir, vocab_size: 300, hidden_size: 32, num_layers: 1, num_heads: 2, num_kv_heads: 1, intermediate_size: 64, max_position_embeddings: 512 },
    { quiet: true },
  );
  return dir;
})();

test("prefs pairs a valid test file with a worse one, drops a prompt whose samples all fail, and resumes", async () => {
  const model = await tinyModel;
  const outDir = join(root, "prefs");
  const valid = "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n    assert add(0, 0) == 0\n";
  const failing = "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 4\n";
  const broken = "def test_(:\n";
  // Samples already on disk: the generate job finds every prompt complete and samples nothing more.
  const samples = [valid, failing, broken].map((completion, i) => ({ task_id: "t/add", sample_index: i, completion }));
  samples.push(...[broken, broken, "x = 1\n"].map((completion, i) => ({ task_id: "t/neg", sample_index: i, completion })));
  writeJsonl(prefsFiles(outDir).samples, samples);
  const pool = await SandboxPool.start({ workers: 1, isolation: "none" });
  try {
    const stats = await buildPreferencePairs({
      model,
      tasks,
      outDir,
      n: 3,
      margin: 0.1,
      pairsPerPrompt: 1,
      reward: "quality",
      mutants: false,
      coverage: false,
      sampling: { temperature: 0.8, top_p: 0.95, max_new_tokens: 16, batch_size: 3 },
      seed: 0,
      executor: pool,
      quiet: true,
    });
    assert.deepEqual([stats.pairs, stats.prompts, stats.samples, stats.valid_samples], [1, 2, 6, 1]);
    assert.deepEqual(stats.dropped, { no_samples: 0, all_invalid: 1, all_tie: 0, below_margin: 0, checks_unmatched: 0 });
  } finally {
    await pool.close();
  }
  const pairs = readJsonlSync(prefsFiles(outDir).pairs) as Record<string, unknown>[];
  assert.equal(pairs.length, 1);
  assert.deepEqual([pairs[0]?.task_id, pairs[0]?.chosen, pairs[0]?.rejected, pairs[0]?.chosen_reward, pairs[0]?.rejected_reward], ["t/add", valid, failing, 1, 0]);
  assert.match(String(pairs[0]?.prompt), /def add\(a, b\)/);
  assert.equal(readJsonlSync(prefsFiles(outDir).samples).length, 6);
  assert.equal(readJsonlSync(prefsFiles(outDir).scores).length, 6);
  assert.equal(JSON.parse(readFileSync(prefsFiles(outDir).stats, "utf8")).pairs, 1);
});

test("train grpo starts the sandbox and the reward service, and the job trains on their rewards", async () => {
  const model = await tinyModel;
  const config = join(root, "grpo.yaml");
  writeFileSync(
    config,
    [
      `model: ${model}`,
      "tasks: tasks.jsonl",
      "output_dir: grpo",
      "max_steps: 1",
      "num_generations: 2",
      "batch_size: 2",
      "max_completion_length: 8",
      "mutants: false",
      "sandbox: {isolation: none, workers: 1}",
    ].join("\n"),
  );
  const result = await runTrainJob("grpo", config, { quiet: true });
  assert.deepEqual(result.artifacts.map((a) => [a.kind, a.path]), [["adapter", join(root, "grpo", "final")]]);
  const trained = result.metrics.filter((m) => typeof m.loss === "number");
  assert.ok(trained.length >= 1);
  for (const name of ["reward_mean", "reward_std", "valid_rate", "tokens_per_s"]) assert.equal(typeof trained[0]?.[name], "number", name);
  assert.ok(existsSync(join(root, "grpo", "prompts.jsonl")));
  assert.ok(existsSync(join(root, "grpo", "metrics.jsonl")));
});

test("train ppo --processes 2 runs two CPU processes against the reward service; the metrics file has each step once", async () => {
  const model = await tinyModel;
  const config = join(root, "ppo.yaml");
  writeFileSync(
    config,
    [`model: ${model}`, "tasks: tasks.jsonl", "output_dir: ppo2", "max_steps: 2", "batch_size: 1", "ppo_epochs: 1", "max_new_tokens: 8", "save_steps: 1", "mutants: false", "sandbox: {isolation: none, workers: 1}"].join("\n"),
  );
  const result = await runTrainJob("ppo", config, { quiet: true, processes: 2 });
  assert.deepEqual(result.artifacts.map((a) => [a.kind, a.path]), [["adapter", join(root, "ppo2", "final")]]);
  const steps = (readJsonlSync(join(root, "ppo2", "metrics.jsonl")) as { step: number }[]).map((m) => m.step);
  assert.deepEqual(steps, [1, 2]);
  assert.ok(existsSync(join(root, "ppo2", "checkpoint-2", "value_head.safetensors")));
});
