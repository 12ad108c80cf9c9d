import assert from "node:assert/strict";
import { test } from "node:test";
import { pythonEnv } from "../../src/engine/python-env.js";
import { MODEL_JOBS, modelSpecSchemas, type ModelJob } from "../../src/model/specs.js";
import { run } from "../../src/util/subprocess.js";

const required: Record<ModelJob, Record<string, string>> = {
  "import-gguf": { gguf: "m.gguf", output_dir: "o" },
  "export-gguf": { model: "m", output_dir: "o" },
};

const PRINT_DEFAULTS = `
import json, sys
from importlib import import_module
from testtune_engine.spec import defaults
print(json.dumps({job: defaults(import_module(f"testtune_engine.jobs.{job.replace('-', '_')}").Spec) for job in sys.argv[1:]}))
`;

test("the model jobs' zod defaults equal the defaults their Python dataclasses declare", async () => {
  const env = await pythonEnv({ quiet: true });
  const result = await run(env.python, ["-c", PRINT_DEFAULTS, ...MODEL_JOBS], { env: env.env, timeoutMs: 300_000 });
  assert.equal(result.exitCode, 0, result.stderr);
  const python = JSON.parse(result.stdout) as Record<ModelJob, Record<string, unknown>>;
  for (const job of MODEL_JOBS) {
    const { version, job: name, ...zodDefaults } = modelSpecSchemas[job].parse(required[job]) as Record<string, unknown>;
    for (const key of Object.keys(required[job])) delete zodDefaults[key];
    assert.deepEqual([version, name], [1, job]);
    assert.deepEqual(zodDefaults, python[job], `defaults of ${job} differ between src/model/specs.ts and python/testtune_engine/jobs/${job.replace("-", "_")}.py`);
  }
});

test("every model spec field says what it changes, and bad values are refused", () => {
  for (const job of MODEL_JOBS) {
    for (const [name, field] of Object.entries(modelSpecSchemas[job].shape)) {
      if (name !== "job") assert.ok((field as { description?: string }).description, `${job}.${name} has no .describe()`);
    }
  }
  assert.equal(modelSpecSchemas["export-gguf"].safeParse({ ...required["export-gguf"], quants: ["q4_k_m"] }).success, false);
  assert.equal(modelSpecSchemas["export-gguf"].safeParse({ ...required["export-gguf"], name: "a/b" }).success, false);
  assert.equal(modelSpecSchemas["import-gguf"].safeParse({ ...required["import-gguf"], max_new_tokens: 0 }).success, false);
});
