import assert from "node:assert/strict";
import { test } from "node:test";
import { pythonEnv } from "../../src/engine/python-env.js";
import { TRAIN_JOBS, trainSpecSchemas, type TrainJob } from "../../src/train/specs.js";
import { run } from "../../src/util/subprocess.js";

const required: Record<TrainJob, Record<string, string>> = {
  dpo: { model: "m", output_dir: "o", data: "pairs.jsonl" },
  grpo: { model: "m", output_dir: "o", prompts: "p.jsonl", reward_url: "http://127.0.0.1:8787/v1/score" },
  ppo: { model: "m", output_dir: "o", prompts: "p.jsonl", reward_url: "http://127.0.0.1:8787/v1/score" },
  merge: { model: "m", adapter: "a", output_dir: "o" },
};

// One Python process for every job: importing TRL and transformers costs seconds each time.
const PRINT_DEFAULTS = `
import json, sys
from importlib import import_module
from testtune_engine.spec import defaults
print(json.dumps({job: defaults(import_module(f"testtune_engine.jobs.{job}").Spec) for job in sys.argv[1:]}))
`;

test("each training job's zod defaults equal the defaults its Python dataclass declares", async () => {
  const env = await pythonEnv({ quiet: true });
  const result = await run(env.python, ["-c", PRINT_DEFAULTS, ...TRAIN_JOBS], { env: env.env, timeoutMs: 300_000 });
  assert.equal(result.exitCode, 0, result.stderr);
  const python = JSON.parse(result.stdout) as Record<TrainJob, Record<string, unknown>>;
  for (const job of TRAIN_JOBS) {
    const { version, job: name, ...zodDefaults } = trainSpecSchemas[job].parse(required[job]) as Record<string, unknown>;
    for (const key of Object.keys(required[job])) delete zodDefaults[key];
    assert.deepEqual([version, name], [1, job]);
    assert.deepEqual(zodDefaults, python[job], `defaults of the ${job} job differ between src/train/specs.ts and python/testtune_engine/jobs/${job}.py`);
  }
});

test("every training spec field says what it changes", () => {
  for (const job of TRAIN_JOBS) {
    for (const [name, field] of Object.entries(trainSpecSchemas[job].shape)) {
      if (name === "job") continue;
      assert.ok((field as { description?: string }).description, `${job}.${name} has no .describe()`);
    }
  }
});

test("training specs reject unknown fields, bad enums and out-of-range values", () => {
  assert.equal(trainSpecSchemas.dpo.safeParse({ ...required.dpo, betta: 0.2 }).success, false);
  assert.equal(trainSpecSchemas.dpo.safeParse({ ...required.dpo, rpo_alpha: -0.1 }).success, false);
  assert.equal(trainSpecSchemas.ppo.safeParse({ ...required.ppo, kl_estimator: "k4" }).success, false);
  assert.equal(trainSpecSchemas.ppo.safeParse({ ...required.ppo, clip_range: 1.5 }).success, false);
  assert.equal(trainSpecSchemas.grpo.safeParse({ ...required.grpo, reward_url: "127.0.0.1:8787" }).success, false);
  assert.equal(trainSpecSchemas.grpo.safeParse({ ...required.grpo, num_generations: 1 }).success, false);
  const dpo = trainSpecSchemas.dpo.parse({ ...required.dpo, lora: { r: 4 } });
  assert.deepEqual([dpo.lora.r, dpo.lora.alpha, dpo.method, dpo.beta], [4, 32, "lora", 0.1]);
});
