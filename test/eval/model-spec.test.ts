/** `testtune eval --model SPEC`: every form, its default name, and the mistakes a user makes. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isTesttuneError } from "../../src/errors.js";
import { parseModelSpec, parseModelSpecs } from "../../src/eval/model-spec.js";

const root = mkdtempSync(join(tmpdir(), "testtune-model-spec-"));

function modelDir(path: string, extra: Record<string, string> = {}): string {
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, "config.json"), "{}");
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(path, name), text);
  return path;
}

const base = modelDir(join(root, "base-model"));
const instruct = modelDir(join(root, "instruct"), { "tokenizer_config.json": JSON.stringify({ chat_template: "{{ messages[0]['content'] }}", eos_token: "</s>" }) });
const adapter = join(root, "my-adapter");
mkdirSync(adapter);
writeFileSync(join(adapter, "adapter_config.json"), JSON.stringify({ base_model_name_or_path: base }));
const gguf = join(root, "tiny-f16.gguf");
writeFileSync(gguf, "GGUF");
// A run directory whose sft stage left a full model (config.yaml with every default).
const run = join(root, "runs", "exp1");
mkdirSync(run, { recursive: true });
writeFileSync(join(run, "config.yaml"), "{}\n");
modelDir(join(run, "sft", "final"));

async function usageError(spec: string, message: RegExp): Promise<void> {
  await assert.rejects(parseModelSpec(spec), (error: unknown) => isTesttuneError(error) && error.code === "E_USAGE" && message.test(error.message) && error.hint !== undefined);
}

test("an endpoint URL with the served model after '#' is the OpenAI backend, named after the served model", async () => {
  const spec = await parseModelSpec("http://127.0.0.1:8000/v1#Qwen/Qwen2.5-Coder-1.5B");
  assert.deepEqual(spec, { kind: "openai", name: "Qwen-Qwen2.5-Coder-1.5B", spec: "http://127.0.0.1:8000/v1#Qwen/Qwen2.5-Coder-1.5B", baseUrl: "http://127.0.0.1:8000/v1", servedModel: "Qwen/Qwen2.5-Coder-1.5B" });
});

test("NAME=SPEC names any form", async () => {
  assert.equal((await parseModelSpec("served=http://h:1/v1#m")).name, "served");
  const named = await parseModelSpec(`mine=${gguf}`);
  assert.equal(named.kind, "gguf");
  assert.equal(named.name, "mine");
});

test("a .gguf file is the llama.cpp backend, named after the file", async () => {
  const spec = await parseModelSpec(gguf);
  assert.equal(spec.kind, "gguf");
  assert.equal(spec.name, "tiny-f16");
});

test("a model directory is the engine backend with its own chat template when it has one", async () => {
  const plain = await parseModelSpec(base);
  assert.equal(plain.kind, "hf");
  assert.equal(plain.name, "base-model");
  assert.deepEqual(plain.kind === "hf" && plain.prompt, {});
  const chat = await parseModelSpec(instruct);
  assert.equal(chat.kind === "hf" && chat.prompt.chat?.template, "{{ messages[0]['content'] }}");
});

test("an adapter directory finds its base; BASE+ADAPTER gives both; both are named after the adapter", async () => {
  for (const text of [adapter, `${base}+${adapter}`]) {
    const spec = await parseModelSpec(text);
    assert.equal(spec.kind, "hf");
    assert.equal(spec.name, "my-adapter");
    assert.equal(spec.kind === "hf" && spec.adapter, adapter);
    assert.equal(spec.kind === "hf" && spec.model, base);
  }
});

test("a run's stage resolves to its final model, named RUN-STAGE", async () => {
  const spec = await parseModelSpec(join(run, "sft"));
  assert.equal(spec.kind, "hf");
  assert.equal(spec.name, "exp1-sft");
  assert.equal(spec.kind === "hf" && spec.model, join(run, "sft", "final"));
});

test("bad SPECs are usage errors that name the value and the forms", async () => {
  await usageError("http://127.0.0.1:8000/v1", /served model's name after '#'/);
  await usageError("http://127.0.0.1:8000/v1#", /served model's name after '#'/);
  await usageError("http://[bad/v1#m", /is not a URL/);
  await usageError(join(root, "missing.gguf"), /no such GGUF file/);
  await usageError(join(root, "nothing-here"), /no such file or directory/);
  await usageError(root, /not a model directory, an adapter directory, a run's stage or a \.gguf file/);
  await usageError(`${base}+${base}`, /is not a PEFT adapter/);
  await usageError("bad name!=http://h/v1#m", /may hold only letters/);
  await usageError("", /empty/);
});

test("two models with one name are refused; no model at all is refused", async () => {
  await assert.rejects(parseModelSpecs([gguf, gguf]), /both named 'tiny-f16'[\s\S]*/);
  await assert.rejects(parseModelSpecs([]), /at least one --model/);
  assert.deepEqual((await parseModelSpecs([gguf, `b=${gguf}`])).map((s) => s.name), ["tiny-f16", "b"]);
});
