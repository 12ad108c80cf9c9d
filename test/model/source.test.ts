import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isTesttuneError } from "../../src/errors.js";
import { resolveModelSource } from "../../src/model/source.js";

const root = mkdtempSync(join(tmpdir(), "testtune-source-"));
const base = join(root, "base");
mkdirSync(base);
writeFileSync(join(base, "config.json"), "{}");
const run = join(root, "runs", "r");
mkdirSync(join(run, "sft", "final"), { recursive: true });
writeFileSync(join(run, "config.yaml"), `model:\n  base: ${base}\n`);
writeFileSync(join(run, "sft", "final", "adapter_config.json"), JSON.stringify({ base_model_name_or_path: base }));

test("RUN_DIR/STAGE resolves as the pipeline does: a LoRA stage is its adapter on the run's base", async () => {
  assert.deepEqual(await resolveModelSource(join(run, "sft")), { model: base, adapter: join(run, "sft", "final"), run: { dir: run, stage: "sft" }, name: "r-sft" });
  assert.deepEqual(await resolveModelSource(join(run, "base")), { model: base, adapter: undefined, run: { dir: run, stage: "base" }, name: "r-base" });
});

test("a stage the run has not produced is an error that says which stage to run", async () => {
  await assert.rejects(resolveModelSource(join(run, "dpo")), (error: unknown) => isTesttuneError(error) && /no 'dpo' model/.test(error.message) && /--stages dpo/.test(error.hint ?? ""));
});

test("an adapter whose recorded base is not here is a config error naming the file and field", async () => {
  const adapter = join(root, "lost-adapter");
  mkdirSync(adapter);
  writeFileSync(join(adapter, "adapter_config.json"), JSON.stringify({ base_model_name_or_path: "org/not-here" }));
  await assert.rejects(resolveModelSource(adapter), (error: unknown) => isTesttuneError(error) && error.code === "E_CONFIG" && error.message.includes("adapter_config.json") && error.message.includes("base_model_name_or_path"));
});
