import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runConfigSchema, type RunConfig } from "../../src/config/run-config.js";
import type { PythonEnv } from "../../src/engine/python-env.js";
import { ConfigError } from "../../src/errors.js";
import type { Manifest } from "../../src/pipeline/manifest.js";
import { promptRecord, runPromptOptions } from "../../src/pipeline/prompting.js";
import { dataStage } from "../../src/pipeline/stages/data.js";
import type { Task } from "../../src/tasks/schema.js";
import { readJsonlAll, writeJsonl } from "../../src/util/jsonl.js";
import { packageRoot } from "../../src/util/paths.js";

const SMOLLM2_TEMPLATE = join(packageRoot, "test", "fixtures", "chat-templates", "smollm2-instruct");

function config(fields: Record<string, unknown>): RunConfig {
  return runConfigSchema.parse(fields);
}

/** A model directory holding only a tokenizer_config.json (all prompts need). */
function instructModel(): string {
  const dir = mkdtempSync(join(tmpdir(), "testtune-instruct-"));
  cpSync(join(SMOLLM2_TEMPLATE, "tokenizer_config.json"), join(dir, "tokenizer_config.json"));
  return dir;
}

test("the tiny model built from scratch, a base model without a template, and chat_template none keep the plain prompt", () => {
  const run = mkdtempSync(join(tmpdir(), "testtune-run-"));
  assert.deepEqual(runPromptOptions(run, config({})), {});
  assert.deepEqual(runPromptOptions(run, config({ model: { base: mkdtempSync(join(tmpdir(), "testtune-base-")) } })), {});
  assert.deepEqual(runPromptOptions(run, config({ model: { base: instructModel(), chat_template: "none" } })), {});
  assert.deepEqual(promptRecord({}), { form: "tests-only" });
});

test("a base model that is not there is a ConfigError naming model.base, never a silent plain prompt", () => {
  assert.throws(
    () => runPromptOptions("unused", config({ model: { base: join(tmpdir(), "testtune-no-such-model") } })),
    (e: unknown) => e instanceof ConfigError && /model\.base/.test(e.message) && /model pull/.test(e.hint ?? ""),
  );
});

test("an instruct base model's template is used, with the configured system prompt, and recorded", () => {
  const options = runPromptOptions("unused", config({ model: { base: instructModel(), system_prompt: "You write pytest files." } }));
  assert.equal(options.system, "You write pytest files.");
  const record = promptRecord(options);
  assert.equal(record.form, "chat");
  assert.match(String(record.chat_template_file), /tokenizer_config\.json$/);
  assert.match(String(record.chat_template_sha256), /^[0-9a-f]{64}$/);
  assert.equal(record.system_prompt, "You write pytest files.");
});

test("the data stage writes chat-formatted SFT pairs for an instruct base and records the prompt form", async () => {
  const run = mkdtempSync(join(tmpdir(), "testtune-run-"));
  const tasks: Task[] = ["train", "eval"].map((split, i) => ({
    id: `t/${i}`,
    source: "tinytests",
    code: `def f${i}(x):\n    return x + ${i}\n`,
    module: "solution",
    entry_points: [`f${i}`],
    tests: `from solution import f${i}\n\ndef test_f():\n    assert f${i}(0) == ${i}\n`,
    metadata: {},
    split: split as Task["split"],
  }));
  const tasksFile = join(run, "tasks-in.jsonl");
  writeJsonl(tasksFile, tasks);
  const manifest = { data: {}, stages: {} } as unknown as Manifest;
  const ctx = { runDir: run, config: config({ model: { base: instructModel() }, data: { tasks_file: tasksFile } }), env: {} as PythonEnv, manifest, quiet: true, log: () => undefined };
  const figures = await dataStage(ctx);
  assert.equal(figures.prompt_form, "chat");
  const [pair] = (await readJsonlAll(join(run, "data", "sft.jsonl"))).map((r) => r.value as { prompt: string; completion: string });
  assert.ok(pair?.prompt.startsWith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM"));
  assert.ok(pair?.prompt.endsWith("<|im_start|>assistant\n"));
  assert.ok(pair?.completion.startsWith("```python\nfrom solution import f0\n") && pair.completion.endsWith("```<|im_end|>"));
  assert.equal((JSON.parse(readFileSync(join(run, "manifest.json"), "utf8")) as Manifest).prompt?.form, "chat");
});

test("eval_source humaneval evaluates on every HumanEval task of the file; mbpp_file tasks join the train split", async () => {
  const run = mkdtempSync(join(tmpdir(), "testtune-run-"));
  const datasets = join(packageRoot, "test", "fixtures", "datasets");
  const manifest = { data: {}, stages: {} } as unknown as Manifest;
  const fields = { data: { train_tasks: 5, eval_tasks: 1, tiers: [1], eval_source: "humaneval", eval_file: join(datasets, "humaneval-sample.jsonl"), mbpp_file: join(datasets, "mbpp-sample.jsonl") } };
  const figures = await dataStage({ runDir: run, config: config(fields), env: {} as PythonEnv, manifest, quiet: true, log: () => undefined });
  const evalTasks = (await readJsonlAll(join(run, "data", "eval.jsonl"))).map((r) => r.value as Task);
  const trainTasks = (await readJsonlAll(join(run, "data", "train.jsonl"))).map((r) => r.value as Task);
  assert.ok(evalTasks.length > 0 && evalTasks.every((t) => t.source === "humaneval"));
  assert.equal(trainTasks.filter((t) => t.source === "tinytests").length, 5);
  assert.ok(trainTasks.some((t) => t.source === "mbpp"));
  assert.equal(figures.eval, evalTasks.length);
  assert.equal(figures.prompt_form, "tests-only");
});
