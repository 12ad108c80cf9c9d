/**
 * Export and import against the real converter and llama.cpp (node-llama-cpp), on a tiny
 * Llama built in the test (python/tests/fixtures/engine/tiny_gguf_model.py: a SentencePiece
 * tokenizer, which the converter accepts without a known-model hash). Nothing is downloaded.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pythonEnv } from "../../src/engine/python-env.js";
import { isTesttuneError } from "../../src/errors.js";
import { exportModel } from "../../src/model/export.js";
import { importGguf } from "../../src/model/import.js";
import { resolveModelSource } from "../../src/model/source.js";
import { pythonDir } from "../../src/util/paths.js";
import { run } from "../../src/util/subprocess.js";

const root = mkdtempSync(join(tmpdir(), "testtune-model-e2e-"));

const LORA = `
import sys
import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM
model = AutoModelForCausalLM.from_pretrained(sys.argv[1])
# init_lora_weights=False: random A and B, so that the merged model differs from the base;
# seeded, so that every run exports the same model
torch.manual_seed(0)
peft = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
peft.save_pretrained(sys.argv[2])
`;

async function python(args: string[]): Promise<void> {
  const env = await pythonEnv({ quiet: true });
  const result = await run(env.python, args, { env: { ...env.env, OMP_NUM_THREADS: "1" }, timeoutMs: 600_000 });
  assert.equal(result.exitCode, 0, result.stderr.slice(-2000));
}

const tinyModel = (async () => {
  const dir = join(root, "tiny");
  await python([join(pythonDir, "tests", "fixtures", "engine", "tiny_gguf_model.py"), dir]);
  return dir;
})();

test("export writes f16 and q8_0 files that llama.cpp runs; f16 reproduces the greedy tokens; Modelfile and card", async () => {
  const out = join(root, "export");
  const result = await exportModel({ model: await tinyModel, out, quants: ["f16", "q8_0"], maxNewTokens: 16, threads: 1, quiet: true });
  assert.deepEqual(result.files.map((f) => f.file), ["tiny-f16.gguf", "tiny-q8_0.gguf"]);
  for (const f of result.files) assert.equal(statSync(join(out, f.file)).size, f.bytes);
  assert.ok(result.files[1]!.bytes < result.files[0]!.bytes, "q8_0 is smaller than f16");
  const [f16, q8] = result.files.map((f) => f.agreement);
  assert.equal(result.f16_reproduces, true);
  assert.equal(f16!.prompts, 24);
  assert.equal(f16!.next_token.same, 24);
  // Spread-out logits (the fixture's init): near-ties are few (3 with seed 0), so this is a real token-for-token check.
  assert.ok(f16!.greedy.identical >= 20 && f16!.greedy.differences_at_near_ties <= 4, JSON.stringify(f16!.greedy));
  assert.ok(q8!.greedy.tokens_compared > 0 && q8!.next_token.same >= 12, JSON.stringify(q8));
  const modelfile = readFileSync(join(out, "Modelfile"), "utf8");
  assert.match(modelfile, /^FROM \.\/tiny-f16\.gguf$/m);
  assert.equal(result.template_family, "chatml");
  assert.ok(modelfile.includes('PARAMETER stop "<|im_end|>"'));
  const card = readFileSync(join(out, "README.md"), "utf8");
  assert.match(card, /f16 reproduces the Hugging Face model token for token: yes/);
  assert.match(card, /\| tiny-q8_0\.gguf \| q8_0 \|/);
  assert.ok(existsSync(join(out, "check", "llama-cpp-q8_0.json")) && existsSync(join(out, "export.json")));
});

test("importing the exported f16 file gives the same parameters, its sha256, and full next-token agreement with llama.cpp", async () => {
  const gguf = join(root, "export", "tiny-f16.gguf");
  assert.ok(existsSync(gguf), "runs after the export test");
  const result = await importGguf({ gguf, out: join(root, "imported"), maxNewTokens: 8, threads: 1, quiet: true });
  const config = JSON.parse(readFileSync(join(await tinyModel, "config.json"), "utf8")) as { vocab_size: number };
  assert.equal(result.provenance.source.architecture, "llama");
  assert.match(result.provenance.source.sha256, /^[0-9a-f]{64}$/);
  assert.ok(result.provenance.parameters > config.vocab_size * 64);
  assert.equal(result.agreement?.next_token.same, 24);
  assert.ok(existsSync(join(root, "imported", "check", "llama-cpp.json")));
});

test("an adapter directory is merged into its base before export", async () => {
  const adapter = join(root, "adapter");
  await python(["-c", LORA, await tinyModel, adapter]);
  const source = await resolveModelSource(adapter);
  assert.deepEqual([source.model, source.adapter], [await tinyModel, adapter]);
  const out = join(root, "export-adapter");
  const result = await exportModel({ model: adapter, out, quants: ["f16"], maxNewTokens: 8, threads: 1, quiet: true });
  assert.ok(existsSync(join(out, "hf", "config.json")), "the merged Hugging Face model is kept in <out>/hf");
  assert.equal(result.f16_reproduces, true);
  assert.ok(result.seconds.merge !== null);
});

test("a path that is no model, adapter or run stage is a usage error naming it", async () => {
  await assert.rejects(resolveModelSource(root), (error: unknown) => isTesttuneError(error) && error.code === "E_USAGE" && error.message.includes(root));
});

test("importing a file that is not GGUF is a data error naming the file, before any engine job", async () => {
  const fake = join(await tinyModel, "config.json");
  await assert.rejects(importGguf({ gguf: fake, out: join(root, "never") }), (error: unknown) => isTesttuneError(error) && error.code === "E_DATA" && error.message.startsWith(fake));
  assert.equal(existsSync(join(root, "never")), false);
});
