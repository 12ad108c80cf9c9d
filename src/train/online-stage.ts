/**
 * The ppo and grpo pipeline stages: the train tasks' prompts, the sandbox and the reward
 * service around the engine job, then the adapter merged into <stage>/final.
 */
import { join } from "node:path";
import { stageReward } from "../config/run-config.js";
import { runEngineJob, type EngineJobResult } from "../engine/job.js";
import { stageDir, type StageContext } from "../pipeline/context.js";
import { runPromptOptions } from "../pipeline/prompting.js";
import { writePromptsFile } from "./prompts-file.js";
import { withRewardService } from "./reward-service.js";
import { mergeStageAdapter, stageFigures, stageSection, startModel, trainTasks, withSandbox } from "./stage-support.js";

/** A config section minus what the stage itself uses: the rest are the job's spec fields. */
function jobFields<T extends { from: string; max_tasks?: number | undefined; mutants: boolean; coverage: boolean; max_mutants?: number | undefined }>(
  section: T,
): Omit<T, "from" | "max_tasks" | "mutants" | "coverage" | "max_mutants"> {
  const { from: _from, max_tasks: _tasks, mutants: _mutants, coverage: _coverage, max_mutants: _maxMutants, ...fields } = section;
  return fields;
}

export async function onlineRlStage(ctx: StageContext, stage: "ppo" | "grpo"): Promise<Record<string, unknown>> {
  const { config } = ctx;
  const name = ctx.stage ?? stage;
  const section = stageSection(config, name, stage);
  const reward = stageReward(config, name);
  const dir = stageDir(ctx, name);
  const tasks = await trainTasks(ctx, section.max_tasks);
  const prompts = join(dir, "prompts.jsonl");
  writePromptsFile(prompts, tasks, runPromptOptions(ctx.runDir, config));
  const start = await startModel(ctx, name, section.from);
  ctx.log(`  ${name} on ${tasks.length} train tasks, rewards '${reward}' from the sandbox`);
  const result = await withSandbox(config, (pool, workers) => {
    const service = {
      tasks: new Map(tasks.map((t) => [t.id, t])),
      executor: pool,
      reward,
      mutants: section.mutants,
      coverage: section.coverage,
      maxMutants: section.max_mutants,
      mutantSeed: config.seed,
      concurrency: workers,
      runTimeoutS: config.sandbox.timeout_s,
    };
    return withRewardService(service, (url): Promise<EngineJobResult> => {
      const spec = { model: start, prompts, reward_url: url, output_dir: join(dir, "train"), seed: config.seed };
      const options = { quiet: ctx.quiet, label: name, metricsFile: join(dir, "metrics.jsonl") };
      return stage === "ppo"
        ? runEngineJob("ppo", { ...spec, ...jobFields(stageSection(config, name, "ppo")) }, options)
        : runEngineJob("grpo", { ...spec, ...jobFields(stageSection(config, name, "grpo")) }, options);
    });
  });
  await mergeStageAdapter(ctx, name, start);
  return stageFigures(name, result, section.max_steps);
}
