import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { describeSchema } from "../../src/config/describe.js";
import { listPresets } from "../../src/config/presets.js";
import { runConfigSchema } from "../../src/config/run-config.js";
import { ConfigError } from "../../src/errors.js";
import { pinRunConfig, resolveRunConfig } from "../../src/pipeline/resolve-config.js";
import { stageSection } from "../../src/train/stage-support.js";
import { dpoSpecSchema } from "../../src/train/specs.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "testtune-config-"));

function writeConfig(text: string): string {
  const file = join(tmp(), "config.yaml");
  writeFileSync(file, text);
  return file;
}

test("every shipped preset loads and validates", () => {
  const presets = listPresets();
  assert.ok(presets.includes("smoke"));
  for (const preset of presets) {
    const config = resolveRunConfig({ preset });
    assert.ok(config.stages.length > 0, preset);
    assert.ok(config.eval.ks.every((k) => k <= config.eval.n), preset);
  }
});

test("a wrongly-typed field in a config file names the file, the field and what was expected", () => {
  const file = writeConfig("sft:\n  max_steps: lots\n");
  assert.throws(
    () => resolveRunConfig({ preset: "smoke", file }),
    (e: unknown) => e instanceof ConfigError && e.file === file && e.field === "sft.max_steps" && /expected number/i.test(e.message),
  );
});

test("an unknown field is an error, never silently ignored", () => {
  const file = writeConfig("sft:\n  max_step: 10\n");
  assert.throws(() => resolveRunConfig({ file }), (e: unknown) => e instanceof ConfigError && /max_step/.test(e.message));
});

test("--set overrides parse as YAML scalars and are validated", () => {
  const config = resolveRunConfig({ preset: "smoke", set: ["sft.max_steps=7", "eval.temperature=0.5"] });
  assert.equal(config.sft.max_steps, 7);
  assert.equal(config.eval.temperature, 0.5);
  assert.throws(() => resolveRunConfig({ preset: "smoke", set: ["eval.n=0"] }), (e: unknown) => e instanceof ConfigError && e.file === "--set" && e.field === "eval.n");
  assert.throws(() => resolveRunConfig({ set: ["novalue"] }), /key=value/);
});

test("ks larger than n are refused at config time", () => {
  assert.throws(() => resolveRunConfig({ set: ["eval.n=2", "eval.ks=[1,5]"] }), (e: unknown) => e instanceof ConfigError && e.field === "eval.ks");
});

test("a --set value that is not valid YAML names the field, never a stack trace", () => {
  assert.throws(
    () => resolveRunConfig({ set: ["eval.models=[sft"] }),
    (e: unknown) => e instanceof ConfigError && e.file === "--set" && e.field === "eval.models" && /not a valid YAML value/.test(e.message),
  );
});

test("a comparison baseline that is not evaluated is refused at config time", () => {
  assert.throws(
    () => resolveRunConfig({ set: ["eval.models=[sft,dpo]", "eval.baseline=base"] }),
    (e: unknown) => e instanceof ConfigError && e.field === "eval.baseline" && /one of eval.models/.test(e.message),
  );
});

test("the mutation reward without mutants at evaluation is refused at config time, naming eval.mutants", () => {
  assert.throws(
    () => resolveRunConfig({ set: ["reward.preset=mutation", "eval.mutants=false"] }),
    (e: unknown) => e instanceof ConfigError && e.field === "eval.mutants" && /pays only for mutants killed/.test(e.message),
  );
  assert.throws(
    () => resolveRunConfig({ set: ["reward.preset=strong", "eval.mutants=false"] }),
    (e: unknown) => e instanceof ConfigError && e.field === "eval.mutants" && /'strong' reward pays only/.test(e.message),
  );
  assert.equal(resolveRunConfig({ set: ["reward.preset=mutation"] }).eval.mutants, true);
  assert.equal(resolveRunConfig({ set: ["reward.preset=quality", "eval.mutants=false"] }).eval.mutants, false);
});

test("unknown stages and presets are clear errors", () => {
  assert.throws(() => resolveRunConfig({ stages: ["sft", "bake"] }), (e: unknown) => e instanceof ConfigError && /bake/.test(e.message));
  assert.throws(() => resolveRunConfig({ preset: "nope" }), (e: unknown) => e instanceof ConfigError && /smoke/.test(e.hint ?? ""));
});

test("a run directory refuses a different config but accepts a different stage list", () => {
  const dir = tmp();
  pinRunConfig(dir, resolveRunConfig({ preset: "smoke" }));
  pinRunConfig(dir, resolveRunConfig({ preset: "smoke", stages: ["eval", "report"] }));
  assert.throws(() => pinRunConfig(dir, resolveRunConfig({ preset: "smoke", set: ["seed=9"] })), /different config/);
});

test("the schema description lists nested fields with defaults and descriptions", () => {
  const fields = describeSchema(runConfigSchema);
  const steps = fields.find((f) => f.path === "sft.max_steps");
  assert.ok(steps !== undefined);
  assert.equal(steps.default, 600);
  assert.match(steps.description ?? "", /Optimizer steps/);
});

test("dpo.rpo_alpha (RPO's NLL weight) reaches the dpo job spec; a negative one is a ConfigError naming it", () => {
  const config = resolveRunConfig({ preset: "tinytests-solve", set: ["dpo.rpo_alpha=0.5"] });
  const { from: _from, ...fields } = stageSection(config, "dpo", "dpo");
  const spec = dpoSpecSchema.parse({ model: "m", data: "pairs.jsonl", output_dir: "o", ...fields });
  assert.equal(spec.rpo_alpha, 0.5);
  assert.equal(resolveRunConfig({}).dpo.rpo_alpha, 0, "off unless asked for");
  assert.throws(() => resolveRunConfig({ set: ["dpo.rpo_alpha=-1"] }), (e: unknown) => e instanceof ConfigError && e.file === "--set" && e.field === "dpo.rpo_alpha");
  assert.throws(() => resolveRunConfig({ set: ["dpo.rpo_alpha=lots"] }), (e: unknown) => e instanceof ConfigError && e.field === "dpo.rpo_alpha");
});
