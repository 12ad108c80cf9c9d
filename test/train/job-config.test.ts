import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { trainConfigSections } from "../../src/config/train-config.js";
import { ConfigError } from "../../src/errors.js";
import { loadTrainConfig } from "../../src/train/job-config.js";

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "testtune-train-config-"));
  const file = join(dir, "job.yaml");
  writeFileSync(file, text);
  return file;
}

function rejects(run: () => unknown, file: string, field: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.file, file);
    assert.equal(error.field, field);
    return true;
  });
}

test("a dpo config gets the job's defaults and paths relative to the config file", () => {
  const file = configFile("model: ../models/sft\ndata: pairs.jsonl\noutput_dir: out/dpo\nbeta: 0.2\n");
  const config = loadTrainConfig("dpo", file);
  const dir = join(file, "..");
  assert.equal(config.model, join(dir, "..", "models", "sft"));
  assert.equal(config.data, join(dir, "pairs.jsonl"));
  assert.equal(config.output_dir, join(dir, "out", "dpo"));
  assert.deepEqual([config.beta, config.loss_type, config.rpo_alpha, config.method, config.lora.r], [0.2, "sigmoid", 0, "lora", 16]);
});

test("a wrong or unknown field is a ConfigError naming the file and the field", () => {
  const negative = configFile("model: m\ndata: d.jsonl\noutput_dir: o\nbeta: -1\n");
  rejects(() => loadTrainConfig("dpo", negative), negative, "beta");
  const typo = configFile("model: m\ndata: d.jsonl\noutput_dir: o\nbetta: 0.1\n");
  rejects(() => loadTrainConfig("dpo", typo), typo, "");
  const nested = configFile("model: m\ndata: d.jsonl\noutput_dir: o\nlora: {r: 0}\n");
  rejects(() => loadTrainConfig("dpo", nested), nested, "lora.r");
  const rpo = configFile("model: m\ndata: d.jsonl\noutput_dir: o\nrpo_alpha: -0.5\n");
  rejects(() => loadTrainConfig("dpo", rpo), rpo, "rpo_alpha");
});

test("ppo and grpo configs name a tasks file instead of a reward URL", () => {
  const withUrl = configFile("model: m\noutput_dir: o\ntasks: t.jsonl\nreward_url: http://127.0.0.1:1/v1/score\n");
  rejects(() => loadTrainConfig("ppo", withUrl), withUrl, "");
  const withoutTasks = configFile("model: m\noutput_dir: o\n");
  rejects(() => loadTrainConfig("grpo", withoutTasks), withoutTasks, "tasks");
  const ok = loadTrainConfig("grpo", configFile("model: m\noutput_dir: o\ntasks: t.jsonl\nsandbox: {isolation: none}\nreward: {preset: staged}\n"));
  assert.deepEqual([ok.num_generations, ok.reward.preset, ok.sandbox.isolation, ok.mutants, ok.prompts], [8, "staged", "none", true, undefined]);
});

test("--set overrides are validated, and their errors name --set", () => {
  const file = configFile("model: m\ndata: d.jsonl\noutput_dir: o\n");
  assert.equal(loadTrainConfig("dpo", file, ["max_steps=7", "lora.r=4"]).max_steps, 7);
  rejects(() => loadTrainConfig("dpo", file, ["max_steps=-2"]), `${file} with --set`, "max_steps");
});

test("the run config's training sections have defaults and describe every field", () => {
  for (const [name, schema] of Object.entries(trainConfigSections)) {
    const parsed = schema.parse(undefined) as Record<string, unknown>;
    assert.ok(Object.keys(parsed).length > 0, name);
    const shape = (schema as unknown as { unwrap(): { shape: Record<string, { description?: string }> } }).unwrap().shape;
    for (const [field, value] of Object.entries(shape)) assert.ok(value.description, `${name}.${field} has no .describe()`);
  }
  const { dpo, ppo, grpo, prefs } = Object.fromEntries(Object.entries(trainConfigSections).map(([k, s]) => [k, s.parse(undefined)])) as Record<string, Record<string, unknown>>;
  assert.deepEqual([dpo?.beta, dpo?.max_length, ppo?.kl_coef, grpo?.beta, prefs?.n, prefs?.margin], [0.1, 512, 0.05, 0.04, 8, 0.1]);
});
