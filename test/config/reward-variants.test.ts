import assert from "node:assert/strict";
import { test } from "node:test";
import { baseStage, runConfigSchema, stageReward, STAGES } from "../../src/config/run-config.js";
import { ConfigError, TesttuneError } from "../../src/errors.js";
import type { StageContext } from "../../src/pipeline/context.js";
import { stageSection, startModel } from "../../src/train/stage-support.js";
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
  assert.ok(at("sft") < at("rft") && at("rft_strong_only") < at("prefs"), "rft runs after SFT, so the RL stages may start from it");
  assert.equal(at("sft_strength"), -1, "only stages that rank or train with a reward have variants");
});

test("the tinytests-strength preset trains both rewards from one SFT model and evaluates all of them", () => {
  const config = resolveRunConfig({ preset: "tinytests-strength" });
  assert.deepEqual(config.stages.filter((s) => s.includes("_")), ["rft_strong_only", "prefs_strength", "dpo_strength", "grpo_strength", "grpo_strong_only"]);
  assert.deepEqual(config.eval.models, ["sft", "rft_strong_only", "dpo", "dpo_strength", "grpo", "grpo_strength", "grpo_strong_only"]);
  assert.equal(config.reward.preset, "quality");
  assert.equal(config.eval.strong_at, 0.8);
});

test("an unknown variant or a variant model that is not a stage is refused at config time", () => {
  assert.throws(() => resolveRunConfig({ stages: ["grpo_bogus"] }), ConfigError);
  assert.equal(runConfigSchema.safeParse({ eval: { models: ["prefs_strength"] } }).success, false, "prefs makes no model");
  assert.equal(runConfigSchema.safeParse({ eval: { models: ["sft", "grpo_strength"], strong_at: 0 } }).success, false);
  assert.equal(runConfigSchema.safeParse({ eval: { models: ["sft", "grpo_strength"] } }).success, true);
});

test("a section's variants set fields for one reward variant only; the preset trains strength on stronger-vs-weaker pairs, GRPO from DPO", () => {
  const config = resolveRunConfig({ preset: "tinytests-strength" });
  assert.equal(stageSection(config, "prefs", "prefs").valid_pairs_per_prompt, 0, "the quality stages keep today's pairs");
  assert.equal(stageSection(config, "prefs_strength", "prefs").valid_pairs_per_prompt, 2);
  assert.equal(stageSection(config, "prefs_strength", "prefs").match_checks, true);
  assert.equal(stageSection(config, "prefs", "prefs").match_checks, false);
  assert.equal(stageSection(config, "prefs_strength", "prefs").n, 8, "the rest comes from the section");
  assert.equal(stageSection(config, "grpo", "grpo").from, "dpo");
  assert.equal(stageSection(config, "grpo_strength", "grpo").from, "dpo_strength");
  assert.equal(stageSection(config, "dpo_strength", "dpo").from, "sft");
  assert.equal("variants" in stageSection(config, "grpo_strength", "grpo"), false, "a stage's own config has no variants");
});

test("rft has reward variants like the RL stages, makes a model eval can sample, and is a start model for them", () => {
  const config = resolveRunConfig({ preset: "tinytests-strength", set: ["rft.variants.strong_only.rounds=3"] });
  assert.equal(pipelineStages.rft_strong_only, pipelineStages.rft);
  assert.equal(stageReward(config, "rft_strong_only"), "strong_only");
  assert.equal(stageSection(config, "rft_strong_only", "rft").rounds, 3);
  assert.equal(stageSection(config, "rft", "rft").rounds, 2, "the preset's section; the variant alone has 3");
  assert.equal(stageSection(config, "rft_strong_only", "rft").min_reward, 1);
  assert.equal(stageSection(config, "grpo_strong_only", "grpo").from, "rft_strong_only");
  assert.equal(runConfigSchema.safeParse({ eval: { models: ["sft", "rft_strong_only"] } }).success, true);
  const mutantless = resolveRunConfig({ preset: "tinytests-strength", set: ["rft.mutants=false"] });
  assert.throws(() => stageSection(mutantless, "rft_strong_only", "rft"), (error: unknown) => error instanceof ConfigError && /field 'rft\.mutants'/.test(error.message));
});

test("a stage trained with the mutation reward refuses to run without mutants, naming the field", () => {
  const config = resolveRunConfig({ preset: "tinytests-strength", set: ["grpo.mutants=false", "grpo.variants.mutation.from=dpo_strength"] });
  const names = (field: RegExp) => (error: unknown): boolean => error instanceof ConfigError && field.test(error.message) && error.hint !== undefined;
  assert.throws(() => stageSection(config, "grpo_mutation", "grpo"), names(/field 'grpo\.mutants'.*grpo_mutation trains with the 'mutation' reward/));
  assert.equal(stageSection(config, "grpo_strength", "grpo").mutants, false, "strength pays validity without mutants: allowed");
  const variant = resolveRunConfig({ preset: "tinytests-strength", set: ["prefs.variants.mutation.mutants=false"] });
  assert.throws(() => stageSection(variant, "prefs_mutation", "prefs"), names(/field 'prefs\.variants\.mutation\.mutants'/));
  assert.equal(stageSection(variant, "dpo_mutation", "dpo").from, "sft", "dpo runs no mutants: nothing to check");
});

test("a bad variant field is refused at config time, naming the field", () => {
  const refused = (set: string, field: RegExp): void => {
    assert.throws(() => resolveRunConfig({ preset: "tinytests-strength", set: [set] }), (error: unknown) => error instanceof ConfigError && field.test(error.message));
  };
  refused("prefs.variants.strength.valid_margin=0", /prefs\.variants\.strength\.valid_margin/); // a margin of 0 would make ties pairs
  refused("prefs.variants.strength.n=1", /prefs\.variants\.strength\.n/);
  refused("grpo.variants.strength.num_gens=4", /grpo\.variants\.strength/);
  refused("grpo.variants.bogus.from=dpo", /grpo\.variants/);
  refused("grpo.from=eval", /grpo\.from/);
  refused("dpo.from=prefs_strength", /dpo\.from/);
  refused("rft.min_reward=1.5", /rft\.min_reward/);
  refused("rft.rounds=0", /rft\.rounds/);
  refused("rft.variants.strong_only.max_per_task=0", /rft\.variants\.strong_only\.max_per_task/);
});

test("a stage cannot start from a stage that runs after it", async () => {
  const config = resolveRunConfig({ preset: "tinytests-strength" });
  const ctx = { runDir: "/nonexistent", config } as unknown as StageContext;
  await assert.rejects(startModel(ctx, "dpo", "grpo_strength"), (error: unknown) => error instanceof TesttuneError && /runs after it/.test(error.message));
  await assert.rejects(startModel(ctx, "grpo", "grpo"), /runs after it/);
  // an earlier stage is accepted; without its model the error says which stage to run
  await assert.rejects(startModel(ctx, "grpo_strength", "dpo_strength"), /no 'dpo_strength' model/);
});
