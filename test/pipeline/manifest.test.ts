import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pythonEnv } from "../../src/engine/python-env.js";
import { openManifest, type Manifest } from "../../src/pipeline/manifest.js";

test("a resumed run's manifest keeps what the data stage recorded about prompts", async () => {
  const run = mkdtempSync(join(tmpdir(), "testtune-run-"));
  const prompt = { form: "chat", chat_template_file: "m/chat_template.jinja", chat_template_sha256: "ab", bos_left_to_tokenizer: false, system_prompt: null };
  writeFileSync(join(run, "manifest.json"), JSON.stringify({ format: 1, name: "x", created_at: "2026-01-01T00:00:00.000Z", seeds: { run: 1 }, data: { "data/sft.jsonl": "cd" }, prompt, stages: {} }));
  const manifest = await openManifest(run, "x", 1, await pythonEnv({ quiet: true }));
  assert.deepEqual(manifest.prompt, prompt);
  assert.deepEqual((JSON.parse(readFileSync(join(run, "manifest.json"), "utf8")) as Manifest).prompt, prompt);
  assert.equal(manifest.created_at, "2026-01-01T00:00:00.000Z");
});
