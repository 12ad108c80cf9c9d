/**
 * The curriculum against the real engine on a tiny random Llama: stage B starts from stage A's
 * model; Ctrl-C during B leaves A complete and B interrupted with a checkpoint; a re-run skips
 * A and resumes B from that checkpoint to the end.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runConfigSchema } from "../../src/config/run-config.js";
import { runEngineJob } from "../../src/engine/job.js";
import type { PythonEnv } from "../../src/engine/python-env.js";
import { TesttuneError } from "../../src/errors.js";
import { runPaths, type StageContext } from "../../src/pipeline/context.js";
import { runCurriculum } from "../../src/pipeline/curriculum.js";
import type { Manifest } from "../../src/pipeline/manifest.js";
import { readStageStatus } from "../../src/pipeline/stage-status.js";
import { buildPrompt } from "../../src/prompts/template.js";
import type { Task } from "../../src/tasks/schema.js";
import { readJson, readJsonlSync, writeJsonl } from "../../src/util/jsonl.js";

const runDir = mkdtempSync(join(tmpdir(), "testtune-curriculum-"));
const tasks: Task[] = Array.from({ length: 8 }, (_, i) => ({
  id: `t/${i}`,
  source: "test",
  code: `def f(x):\n    return x + ${i}\n`,
  module: "solution",
  entry_points: ["f"],
  tests: `from solution import f\n\ndef test_f():\n    assert f(1) == ${i + 1}\n`,
  split: "train",
  metadata: { tier: i < 4 ? 1 : 2 },
}));

const config = runConfigSchema.parse({
  sft: {
    batch_size: 2,
    max_length: 512,
    save_steps: 2,
    logging_steps: 1,
    stages: [
      { name: "A", tiers: [1], max_steps: 2 },
      { name: "B", tiers: [2], max_steps: 6, learning_rate: 1e-3 },
    ],
  },
});

async function prepare(): Promise<void> {
  writeJsonl(runPaths.trainTasks(runDir), tasks);
  const corpus = join(runDir, "corpus.jsonl");
  // the tokenizer learns the prompts too, so each pair is a few dozen tokens
  writeJsonl(corpus, tasks.map((t) => ({ text: buildPrompt(t) + (t.tests as string) })));
  await runEngineJob(
    "pretrain",
    { corpus, output_dir: runPaths.pretrainedModel(runDir), vocab_size: 300, hidden_size: 32, num_layers: 1, num_heads: 2, num_kv_heads: 1, intermediate_size: 64, max_position_embeddings: 512 },
    { quiet: true },
  );
}

function context(log: (m: string) => void, onEngineEvent?: StageContext["onEngineEvent"]): StageContext {
  return { runDir, config, env: {} as PythonEnv, manifest: {} as Manifest, quiet: true, log, ...(onEngineEvent === undefined ? {} : { onEngineEvent }) };
}

test("Ctrl-C in stage B leaves A complete and B resumable; a re-run skips A and finishes B from its checkpoint", async () => {
  await prepare();
  let inB = false;
  let sent = false;
  const interrupting = context(
    (m) => {
      if (m.includes("sft/B: starting")) inB = true;
    },
    (event) => {
      // after B's checkpoint-2 is written (progress 3), Ctrl-C as a user would press it
      if (inB && !sent && event.event === "progress" && event.step === 3) {
        sent = true;
        process.kill(process.pid, "SIGINT");
      }
    },
  );
  await assert.rejects(runCurriculum(interrupting, config.sft.stages), (e: unknown) => e instanceof TesttuneError && e.code === "E_ENGINE_INTERRUPTED");
  assert.equal(readStageStatus(join(runDir, "sft", "A"))?.status, "complete");
  const interruptedB = readStageStatus(join(runDir, "sft", "B"));
  assert.equal(interruptedB?.status, "interrupted");
  assert.ok((interruptedB?.duration_s ?? 0) > 0);
  assert.ok(!existsSync(join(runDir, "sft", "B", "final")));
  // B trains the tier-2 pairs, from A's model
  assert.deepEqual((readJsonlSync(join(runDir, "sft", "B", "train.jsonl")) as { task_id: string }[]).map((r) => r.task_id), ["t/4", "t/5", "t/6", "t/7"]);
  const spec = readJson(join(runDir, "sft", "B", "engine-spec.json")) as { base_model: string; learning_rate: number };
  assert.equal(spec.base_model, join(runDir, "sft", "A", "final"));
  assert.equal(spec.learning_rate, 1e-3);

  const lines: string[] = [];
  const steps: number[] = [];
  const result = await runCurriculum(
    context((m) => lines.push(m), (event) => {
      if (event.event === "progress") steps.push(event.step);
    }),
    config.sft.stages,
  );
  assert.ok(lines.some((m) => /sft\/A: complete .*skipped/.test(m)), lines.join("\n"));
  assert.ok(lines.some((m) => /sft\/B: resuming after 'interrupted'/.test(m)), lines.join("\n"));
  assert.ok((steps[0] ?? 0) >= 2, `B resumed from its checkpoint, not from step 0 (${steps.join(",")})`);
  assert.equal(steps.at(-1), 6);
  const finishedB = readStageStatus(join(runDir, "sft", "B"));
  assert.equal(finishedB?.status, "complete");
  assert.ok((finishedB?.duration_s ?? 0) > (interruptedB?.duration_s ?? 0), "B's wall time counts both attempts");
  assert.equal(realpathSync(join(runDir, "sft", "final")), realpathSync(join(runDir, "sft", "B", "final")));
  const rows = result.curriculum as { stage: string; pairs: number }[];
  assert.deepEqual(rows.map((r) => [r.stage, r.pairs]), [["A", 4], ["B", 4]]);
  assert.ok(readFileSync(join(runDir, "sft", "B", "metrics.jsonl"), "utf8").includes('"loss"'));
});

test("a traces stage with synthetic_per_task trains on the given traces plus sandbox-checked synthetic ones of its tasks", async () => {
  if (!existsSync(runPaths.pretrainedModel(runDir))) await prepare();
  const given = { task_id: "t/0", code: tasks[0]?.code, failed_test: "from solution import f\n\ndef test_f():\n    assert f(1) == 5\n", failure_log: "outcome: failed (1 of 1 tests failed)\ntest_f: assert 1 == 5", fixed_test: tasks[0]?.tests, round: 1, reward: 1 };
  const tracesFile = join(runDir, "given-traces.jsonl");
  writeJsonl(tracesFile, [given]);
  const stage = runConfigSchema.parse({ sft: { stages: [{ name: "C", from: "base", max_steps: 1, traces: { file: tracesFile, synthetic_per_task: 1, max_tasks: 3 } }] } }).sft.stages;
  const result = await runCurriculum(context(() => undefined), stage);
  const synthetic = readJsonlSync(join(runDir, "sft", "C", "synthetic-traces.jsonl")) as { task_id: string; source: string; failed_test: string; fixed_test: string }[];
  assert.equal(synthetic.length, 3, "every task's one assertion gives a trace");
  for (const t of synthetic) {
    assert.equal(t.source, "reference-edit");
    assert.equal(t.fixed_test, tasks.find((task) => task.id === t.task_id)?.tests);
    assert.notEqual(t.failed_test, t.fixed_test);
  }
  const rows = result.curriculum as { stage: string; pairs: number; synthetic?: { traces: number } }[];
  assert.deepEqual(rows.map((r) => [r.stage, r.pairs, r.synthetic?.traces]), [["C", 4, 3]], "the given trace and the 3 synthetic ones");
  assert.equal(readJsonlSync(join(runDir, "sft", "C", "train.jsonl")).length, 4);
});
