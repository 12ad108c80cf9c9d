import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../src/errors.js";
import { resolveRunConfig } from "../../src/pipeline/resolve-config.js";
import { describeSchema } from "../../src/config/describe.js";
import { runConfigSchema } from "../../src/config/run-config.js";

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "testtune-curriculum-")), "config.yaml");
  writeFileSync(file, text);
  return file;
}

test("the curriculum preset orders its stages and evaluates the stage models with repair rounds", () => {
  const config = resolveRunConfig({ preset: "curriculum" });
  assert.deepEqual(config.sft.stages.map((s) => [s.name, s.from]), [["single", "previous"], ["A", "base"], ["B", "previous"], ["C", "previous"]]);
  const steps = config.sft.stages.map((s) => s.max_steps ?? 0);
  assert.equal(steps[0], steps[1]! + steps[2]! + steps[3]!, "the single stage trains as many steps as A + B + C");
  assert.equal(config.sft.stages[3]?.traces?.rounds, 2);
  assert.deepEqual(config.eval.models, ["sft/single", "sft/B", "sft/C"]);
  assert.equal(config.eval.repair_rounds, 2);
});

test("a traces stage needs no data of its own and defaults to collecting with two rounds", () => {
  const config = resolveRunConfig({ file: configFile("sft:\n  stages:\n    - {name: A}\n    - {name: C, traces: {}}\n") });
  assert.deepEqual(config.sft.stages[1]?.traces, { rounds: 2, max_tasks: 400, n: 2, temperature: 0.8, max_new_tokens: 256, synthetic_per_task: 0, plain_pairs: false });
  assert.equal(config.eval.repair_rounds, 0);
});

for (const [label, yaml, field] of [
  ["two stages with one name", "sft:\n  stages:\n    - {name: A}\n    - {name: A}\n", "sft.stages"],
  ["both max_steps and epochs", "sft:\n  stages:\n    - {name: A, max_steps: 10, epochs: 1}\n", "sft.stages[0].epochs"],
  ["a name that is not a directory name", "sft:\n  stages:\n    - {name: 'a/b'}\n", "sft.stages[0].name"],
  ["an unknown stage field", "sft:\n  stages:\n    - {name: A, lr: 0.1}\n", "sft.stages[0]"],
  ["a tier that does not exist", "sft:\n  stages:\n    - {name: A, tiers: [6]}\n", "sft.stages[0].tiers[0]"],
  ["an eval model that is neither a stage nor sft/<name>", "eval:\n  models: [sft/B/final]\n", "eval.models[0]"],
  ["negative repair rounds", "eval:\n  repair_rounds: -1\n", "eval.repair_rounds"],
  ["a fractional synthetic_per_task", "sft:\n  stages:\n    - {name: C, traces: {synthetic_per_task: 1.5}}\n", "sft.stages[0].traces.synthetic_per_task"],
] as const) {
  test(`a curriculum config with ${label} is an error naming ${field}`, () => {
    const file = configFile(yaml);
    assert.throws(
      () => resolveRunConfig({ file }),
      (e: unknown) => e instanceof ConfigError && e.file === file && e.field.startsWith(field),
    );
  });
}

test("'testtune config schema' lists each curriculum stage field, with its default and description", () => {
  const fields = new Map(describeSchema(runConfigSchema).map((f) => [f.path, f]));
  assert.equal(fields.get("sft.stages[].traces.rounds")?.default, 2);
  assert.match(fields.get("sft.stages[].max_tokens")?.description ?? "", /tokenizer/);
  assert.equal(fields.get("sft.stages[].early_stopping.patience")?.default, 3);
});
