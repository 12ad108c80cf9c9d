import assert from "node:assert/strict";
import { test } from "node:test";
import { baseStage, runConfigSchema, stageReward, STAGES } from "../../src/config/run-config.js";
import { ConfigError } from "../../src/errors.js";
import { resolveRunConfig } from "../../src/pipeline/resolve-config.js";
import { pipelineStages } from "../../src/pipeline/stages/index.js";

test("a reward variant runs its base stage with its own reward; other stages use reward.preset", () => {
  const config = runConfigSchema.parse({ reward: { preset: "staged" } });
  assert.equal(baseStage("grpo_strength"), "grpo");
  assert.equal(baseStage("dpo_pass_rate"), "dpo");
  assert.equal(baseStage("eval"), "eval");
  assert.equal(stageReward(config, "grpo_strength"), "strength");
  assert.equal(stageReward(config, "prefs_pass_rate"), "pass_rate");
  assert.equal(stageReward(config, "grpo"), "staged");
  assert.equal(pipelineStages.grpo_strength, pipelineStages.grpo);
  assert.equal(pipelineStages.prefs_quality, pipelineStages.prefs);
});

test("variants follow their base stage in pipeline order, so prefs_strength runs before dpo_strength", () => {
  const at = (s: string): number => (STAGES as readonly string[]).indexOf(s);
  assert.ok(at("prefs") < at("prefs_strength") && at("prefs_strength") < at("dpo") && at("dpo_strength") < at("grpo"));
  assert.ok(at("grpo_strength") < at("eval"));
  assert.equal(at("sft_strength"), -1, "only stages that rank or train with a reward have variants");
});

test("the tinytests-strength preset trains both rewards from one SFT model and evaluates all of them", () => {
  const config = resolveRunConfig({ preset: "tinytests-strength" });
  assert.deepEqual(config.stages.filter((s) => s.includes("_")), ["prefs_strength", "dpo_strength", "grpo_strength"]);
  assert.deepEqual(config.eval.models, ["sft", "dpo", "dpo_strength", "grpo", "grpo_strength"]);
  assert.equal(config.reward.preset, "quality");
  assert.equal(config.eval.strong_at, 0.8);
});

test("an unknown variant or a variant model that is not a stage is refused at config time", () => {
  assert.throws(() => resolveRunConfig({ stages: ["grpo_bogus"] }), ConfigError);
  assert.equal(runConfigSchema.safeParse({ eval: { models: ["prefs_strength"] } }).success, false, "prefs makes no model");
  assert.equal(runConfigSchema.safeParse({ eval: { models: ["sft", "grpo_strength"], strong_at: 0 } }).success, false);
  assert.equal(runConfigSchema.safeParse({ eval: { models: ["sft", "grpo_strength"] } }).success, true);
});
