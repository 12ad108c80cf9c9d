/**
 * The rft stage against the real engine and sandbox on a tiny random Llama. Its samples are
 * written beforehand (the generate job then finds every prompt complete and samples nothing),
 * so what is kept is known: the sandbox scores them with the strong_only reward, the stage
 * keeps the strong ones over both rounds, trains a LoRA adapter each round and merges the last.
 * Isolation "none": the only code run is this file's fixtures.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runConfigSchema } from "../../src/config/run-config.js";
import { runEngineJob } from "../../src/engine/job.js";
import { TesttuneError } from "../../src/errors.js";
import type { StageContext } from "../../src/pipeline/context.js";
import { rftRoundFiles, rftStage } from "../../src/pipeline/stages/rft.js";
import type { Task } from "../../src/tasks/schema.js";
import { readJsonlSync, writeJsonl } from "../../src/util/jsonl.js";

const root = mkdtempSync(join(tmpdir(), "testtune-rft-"));
after(() => rmSync(root, { recursive: true, force: true }));
const tasks: Task[] = [
  { id: "t/add", source: "test", code: "def add(a, b):\n    return a + b\n", module: "solution", entry_points: ["add"], metadata: {}, split: "train" },
  { id: "t/neg", source: "test", code: "def neg(x):\n    return -x\n", module: "solution", entry_points: ["neg"], metadata: {}, split: "train" },
];
const file = (fn: string, checks: string[]) => `from solution import ${fn}\n\n\ndef test_${fn}():\n${checks.map((c) => `    assert ${c}\n`).join("")}`;
const strongAdd = file("add", ["add(1, 2) == 3", "add(2, 5) == 7"]);
const strongerAdd = file("add", ["add(1, 2) == 3", "add(2, 5) == 7", "add(-4, 9) == 5"]);
const weakAdd = file("add", ["add(0, 0) == 0"]); // a - b and a * b pass it too
const wrongNeg = file("neg", ["neg(3) == 3"]);
const strongNeg = file("neg", ["neg(3) == -3", "neg(-2) == 2"]);

const tinyModel = (async () => {
  const corpus = join(root, "corpus.jsonl");
  writeJsonl(corpus, Array.from({ length: 40 }, (_, i) => ({ text: `def f${i}(x):\n    return x + ${i}\n\ndef test_f${i}():\n    assert f${i}(1) == ${i + 1}\n` })));
  const dir = join(root, "model");
  await runEngineJob("pretrain", { corpus, output_dir: dir, vocab_size: 300, hidden_size: 32, num_layers: 1, num_heads: 2, num_kv_heads: 1, intermediate_size: 64, max_position_embeddings: 512 }, { quiet: true });
  return dir;
})();

/** A run directory whose SFT model is the tiny model, with `samples[r]` as round r+1's samples. */
async function runDir(name: string, samples: Record<string, string[]>[]): Promise<StageContext> {
  const dir = join(root, name);
  cpSync(await tinyModel, join(dir, "sft", "final"), { recursive: true });
  writeJsonl(join(dir, "data", "train.jsonl"), tasks);
  samples.forEach((byTask, r) => {
    const rows = Object.entries(byTask).flatMap(([task_id, files]) => files.map((completion, sample_index) => ({ task_id, sample_index, completion })));
    writeJsonl(rftRoundFiles(join(dir, "rft_strong_only"), r + 1).samples, rows);
  });
  const config = runConfigSchema.parse({
    seed: 1,
    sandbox: { isolation: "none", workers: 1 },
    rft: { rounds: samples.length, n: 2, max_new_tokens: 16, max_length: 512, epochs: 1, batch_size: 2 },
  });
  return { runDir: dir, config, stage: "rft_strong_only", quiet: true, log: () => undefined } as unknown as StageContext;
}

test("rft keeps only strong files over its rounds, trains on them each round, merges the last round, and resumes without retraining", async () => {
  const ctx = await runDir("two-rounds", [
    { "t/add": [strongAdd, weakAdd], "t/neg": [wrongNeg, "def test_(:\n"] },
    { "t/add": [strongAdd, strongerAdd], "t/neg": [strongNeg, wrongNeg] },
  ]);
  const figures = await rftStage(ctx);
  assert.deepEqual(figures.reached_by_round, [1, 3], "round 2's repeat of round 1's strong file still reached the bar");
  assert.equal(figures.kept_files, 3, "the repeat is trained on once");
  assert.equal(figures.kept_tasks, 2);
  const stage = join(ctx.runDir, "rft_strong_only");
  const kept = (round: number) => (readJsonlSync(rftRoundFiles(stage, round).kept) as { completion: string }[]).map((r) => r.completion);
  assert.deepEqual(kept(1).map((c) => c.includes("add(2, 5) == 7")), [true], "round 1 trains on the strong file alone, not the weak valid one");
  assert.equal(kept(2).length, 3);
  assert.ok(kept(2)[0]?.includes("add(-4, 9) == 5"), "of a task's strong files, the one with more distinct inputs first");
  assert.ok(kept(2).some((c) => c.includes("neg(-2) == 2")));
  assert.ok(statSync(join(stage, "final", "config.json")).isFile(), "the merged model eval reads");
  const adapter = join(rftRoundFiles(stage, 1).adapter, "adapter_model.safetensors");
  const trainedAt = statSync(adapter).mtimeMs;
  assert.deepEqual((await rftStage(ctx)).reached_by_round, [1, 3]);
  assert.equal(statSync(adapter).mtimeMs, trainedAt, "a round whose adapter exists is not trained again");
});

test("a round in which no file reaches the bar stops the stage with a hint, before any training", async () => {
  const ctx = await runDir("none-strong", [{ "t/add": [weakAdd, weakAdd], "t/neg": [wrongNeg, wrongNeg] }]);
  await assert.rejects(rftStage(ctx), (error: unknown) => error instanceof TesttuneError && /round 1: none of the 4 samples/.test(error.message) && /min_reward/.test(error.hint ?? ""));
});
