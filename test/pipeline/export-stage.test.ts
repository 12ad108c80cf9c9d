import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runConfigSchema } from "../../src/config/run-config.js";
import type { PythonEnv } from "../../src/engine/python-env.js";
import type { StageContext } from "../../src/pipeline/context.js";
import type { Manifest } from "../../src/pipeline/manifest.js";
import { bestTrainedModel, exportStage } from "../../src/pipeline/stages/export.js";
import { TesttuneError } from "../../src/errors.js";
import { writeJson } from "../../src/util/jsonl.js";

test("the export stage picks the trained model with the highest pass@1, never base", () => {
  const models = [
    { model: "base", "pass@1": 0.9 },
    { model: "sft", "pass@1": 0.329 },
    { model: "dpo", "pass@1": 0.405 },
    { model: "grpo", "pass@1": 0.405 },
  ];
  assert.equal(bestTrainedModel(models), "dpo"); // a tie goes to the one listed first
  assert.equal(bestTrainedModel([{ model: "base", "pass@1": 0.5 }]), undefined);
});

test("without eval results, or with only base evaluated, the stage says what to add", async () => {
  const runDir = mkdtempSync(join(tmpdir(), "testtune-export-"));
  const ctx: StageContext = { runDir, config: runConfigSchema.parse({}), env: {} as PythonEnv, manifest: {} as Manifest, quiet: true, log: () => undefined };
  await assert.rejects(exportStage(ctx), (e: unknown) => e instanceof TesttuneError && /eval\/results\.json/.test(e.message) && /--stages eval,export/.test(e.hint ?? ""));
  writeJson(join(runDir, "eval", "results.json"), { models: [{ model: "base", "pass@1": 0.1 }] });
  await assert.rejects(exportStage(ctx), (e: unknown) => e instanceof TesttuneError && /only base/.test(e.message));
});
