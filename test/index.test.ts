import assert from "node:assert/strict";
import { test } from "node:test";
import * as testtune from "../src/index.js";

test("the library API exposes the pipeline's building blocks, and they work from the entry point", () => {
  assert.ok(Math.abs(testtune.passAtK(5, 1, 1) - 0.2) < 1e-12);
  assert.deepEqual(Object.keys(testtune.pipelineStages).sort(), [...testtune.STAGES].sort());
  assert.deepEqual(Object.keys(testtune.jobSpecSchemas).sort(), ["dpo", "export-gguf", "generate", "grpo", "import-gguf", "merge", "ppo", "pretrain", "sft"]);
  const config = testtune.runConfigSchema.parse({});
  assert.equal(config.dpo.max_steps > 0, true);
  assert.equal(typeof testtune.SandboxPool, "function");
  const valid = { status: "passed", tests: { total: 2, passed: 2, failed: 0, error: 0, other: 0 }, assertions: 3, static_assertions: 3 } as const;
  assert.equal(testtune.reward("staged", valid), 1);
  assert.equal(testtune.reward("staged", { ...valid, status: "syntax_error", tests: { ...valid.tests, total: 0, passed: 0 }, assertions: 0 }), 0);
});
