import assert from "node:assert/strict";
import { test } from "node:test";
import { pythonEnv } from "../../src/engine/python-env.js";
import { ENGINE_JOBS, engineSpecSchemas, type EngineJob } from "../../src/engine/specs.js";
import { run } from "../../src/util/subprocess.js";

const required: Record<EngineJob, Record<string, string>> = {
  pretrain: { corpus: "c.jsonl", output_dir: "m" },
  sft: { base_model: "m", data: "d.jsonl", output_dir: "o" },
  generate: { model: "m", input: "p.jsonl", output: "s.jsonl" },
};

test("every job's zod defaults equal the defaults the Python job declares", async () => {
  const env = await pythonEnv({ quiet: true });
  await Promise.all(
    ENGINE_JOBS.map(async (job) => {
      const result = await run(env.python, ["-m", "testtune_engine", job, "--defaults"], { env: env.env });
      assert.equal(result.exitCode, 0, result.stderr);
      const python = JSON.parse(result.stdout) as Record<string, unknown>;
      const { version, job: name, ...zodDefaults } = engineSpecSchemas[job].parse(required[job]) as Record<string, unknown>;
      for (const key of Object.keys(required[job])) delete zodDefaults[key];
      assert.equal(version, 1);
      assert.equal(name, job);
      assert.deepEqual(zodDefaults, python, `defaults of the ${job} job differ between src/engine/specs.ts and python/testtune_engine/jobs/${job}.py`);
    }),
  );
});

test("every spec field says what it changes", () => {
  for (const job of ENGINE_JOBS) {
    for (const [name, field] of Object.entries(engineSpecSchemas[job].shape)) {
      if (name === "job") continue;
      assert.ok((field as { description?: string }).description, `${job}.${name} has no .describe()`);
    }
  }
});

test("specs reject unknown fields, also inside lora", () => {
  assert.equal(engineSpecSchemas.generate.safeParse({ ...required.generate, temprature: 0.2 }).success, false);
  assert.equal(engineSpecSchemas.sft.safeParse({ ...required.sft, lora: { rank: 8 } }).success, false);
  const sft = engineSpecSchemas.sft.parse({ ...required.sft, lora: { r: 4 } });
  assert.deepEqual([sft.lora.r, sft.lora.alpha, sft.method], [4, 32, "lora"]);
});

test("a generate spec asks for vLLM with backend vllm; any other backend name is rejected", () => {
  assert.equal(engineSpecSchemas.generate.parse(required.generate).backend, "engine");
  assert.equal(engineSpecSchemas.generate.parse({ ...required.generate, backend: "vllm" }).backend, "vllm");
  const wrong = engineSpecSchemas.generate.safeParse({ ...required.generate, backend: "sglang" });
  assert.equal(wrong.success, false);
  assert.deepEqual(wrong.error?.issues[0]?.path, ["backend"]);
});
