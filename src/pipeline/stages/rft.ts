/**
 * rft: rejection-sampling fine-tuning in rounds (src/train/rft.ts says what is kept and why).
 * Each round samples `n` test files per train task with the latest model, runs them in the
 * sandbox with the stage's reward, keeps the valid ones that reach `min_reward` (with those of
 * the earlier rounds), and trains a new LoRA adapter on the start model with them; the next
 * round samples with that adapter. Every round starts from the same model, so rounds do not
 * compound drift (ReST-EM's choice). Sampling and scoring append as they go and a round's
 * training resumes from its checkpoints, so an interrupted stage resumes where it stopped.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runEngineJob } from "../../engine/job.js";
import { TesttuneError } from "../../errors.js";
import { extractTestFile } from "../../prompts/extract.js";
import type { RftConfig } from "../../config/train-config.js";
import { stageReward } from "../../config/run-config.js";
import { kindName } from "../../kinds/index.js";
import type { Task } from "../../tasks/schema.js";
import { sftRow } from "../../tasks/sft.js";
import { keptFiles, type RftCandidate } from "../../train/rft.js";
import { sampleAndScore, scoredSamples, type SampleFiles } from "../../train/sample-and-score.js";
import { mergeStageAdapter, stageSection, startModel, trainTasks, withSandbox } from "../../train/stage-support.js";
import { writeJson, writeJsonl } from "../../util/jsonl.js";
import { stageDir, type StageContext } from "../context.js";
import { runPromptOptions } from "../prompting.js";

export const rftRoundFiles = (stage: string, round: number) => {
  const dir = join(stage, `round-${round}`);
  return {
    dir,
    tasks: join(dir, "tasks.jsonl"),
    prompts: join(dir, "prompts.jsonl"),
    samples: join(dir, "samples.jsonl"),
    scores: join(dir, "scores.jsonl"),
    kept: join(dir, "kept.jsonl"),
    stats: join(dir, "stats.json"),
    train: join(dir, "train"),
    adapter: join(dir, "train", "final"),
  };
};

interface RoundStats {
  round: number;
  samples: number;
  valid_samples: number;
  /** This round's samples that were valid and reached min_reward. */
  reached: number;
  /** Files trained on in this round (all rounds so far, distinct, capped per task) and their tasks. */
  kept_files: number;
  kept_tasks: number;
}

export async function rftStage(ctx: StageContext): Promise<Record<string, unknown>> {
  const { config } = ctx;
  const name = ctx.stage ?? "rft";
  const section = stageSection(config, name, "rft");
  const reward = stageReward(config, name);
  const tasks = (await trainTasks(ctx, section.max_tasks)).filter((t) => kindName(t) === "unit_test");
  if (tasks.length === 0) {
    throw new TesttuneError("E_CONFIG", `${name} found no unit_test tasks in the train split`, { hint: "rft trains on test files: include unit_test in data.kinds" });
  }
  const start = await startModel(ctx, name, section.from);
  const prompt = runPromptOptions(ctx.runDir, config);
  const dir = stageDir(ctx, name);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const rounds: RoundStats[] = [];
  const candidates: RftCandidate[] = [];
  for (let round = 1; round <= section.rounds; round++) {
    const files = rftRoundFiles(dir, round);
    const previous = round === 1 ? undefined : rftRoundFiles(dir, round - 1).adapter;
    ctx.log(`  round ${round} of ${section.rounds}: sampling ${section.n} test files for each of ${tasks.length} train tasks${previous === undefined ? "" : " with the previous round's model"} and running them (reward '${reward}')`);
    await withSandbox(config, (pool) =>
      sampleAndScore(files, {
        model: start,
        adapter: previous,
        tasks,
        n: section.n,
        sampling: { temperature: section.temperature, top_p: section.top_p, max_new_tokens: section.max_new_tokens, batch_size: section.sample_batch_size, backend: section.backend },
        prompt,
        seed: config.seed + round - 1, // each round draws new samples, not the same random streams
        reward,
        mutants: section.mutants,
        coverage: section.coverage,
        maxMutants: section.max_mutants,
        executor: pool,
        runTimeoutS: config.sandbox.timeout_s,
        quiet: ctx.quiet,
        label: `${name}: sample (round ${round})`,
      }),
    );
    const scored = await roundCandidates(files, byId, round);
    candidates.push(...scored);
    const kept = keptFiles(candidates, { minReward: section.min_reward, maxPerTask: section.max_per_task });
    const stats: RoundStats = {
      round,
      samples: scored.length,
      valid_samples: scored.filter((c) => c.valid).length,
      reached: scored.filter((c) => c.valid && c.reward >= section.min_reward).length,
      kept_files: kept.length,
      kept_tasks: new Set(kept.map((c) => c.task_id)).size,
    };
    rounds.push(stats);
    writeJson(files.stats, stats);
    ctx.log(`  round ${round}: ${stats.valid_samples} of ${stats.samples} samples valid, ${stats.reached} reach reward ${section.min_reward}; training on ${stats.kept_files} files of ${stats.kept_tasks} tasks`);
    if (kept.length === 0) {
      throw new TesttuneError("E_DATA", `${name} round ${round}: none of the ${stats.samples} samples was valid with reward >= ${section.min_reward} ('${reward}')`, {
        hint: `rft needs a model that sometimes writes such files: lower rft.min_reward, sample more (rft.n), or train SFT longer (sft.max_steps); then re-run: the samples already scored are kept`,
      });
    }
    writeJsonl(files.kept, kept.map((c) => sftRow({ ...(byId.get(c.task_id) as Task), tests: c.tests }, prompt.chat, prompt.system)));
    await trainRound(ctx, name, section, start, files, round);
  }
  await mergeStageAdapter(ctx, name, start, rftRoundFiles(dir, section.rounds).adapter);
  writeJson(join(dir, "stats.json"), { reward, min_reward: section.min_reward, rounds });
  const last = rounds.at(-1) as RoundStats;
  return { model: `${name}/final`, adapter: rftRoundFiles(name, section.rounds).adapter, reward, rounds: rounds.length, kept_files: last.kept_files, kept_tasks: last.kept_tasks, reached_by_round: rounds.map((r) => r.reached) };
}

/** A round's scored samples as candidates (a sample the sandbox could not score is left out). */
async function roundCandidates(files: SampleFiles, byId: ReadonlyMap<string, Task>, round: number): Promise<RftCandidate[]> {
  return (await scoredSamples(files, byId)).map(({ line, sample, score }) => ({
    task_id: sample.task_id,
    round,
    sample_index: sample.sample_index ?? line,
    tests: extractTestFile(sample.completion, byId.get(sample.task_id)).tests,
    valid: score.valid,
    reward: score.reward,
    distinct_inputs: score.distinct_inputs ?? 0,
  }));
}

/** A new LoRA adapter on the start model, trained on the files kept so far (skipped when the round's adapter exists). */
async function trainRound(ctx: StageContext, name: string, section: RftConfig, start: string, files: ReturnType<typeof rftRoundFiles>, round: number): Promise<void> {
  if (existsSync(join(files.adapter, "adapter_config.json"))) return;
  await runEngineJob(
    "sft",
    {
      base_model: start,
      data: files.kept,
      output_dir: files.train,
      method: "lora",
      epochs: section.epochs,
      batch_size: section.batch_size,
      learning_rate: section.learning_rate,
      max_length: section.max_length,
      save_steps: section.save_steps,
      seed: ctx.config.seed,
    },
    { quiet: ctx.quiet, label: `${name}: train (round ${round})`, metricsFile: join(stageDir(ctx, name), "metrics.jsonl") },
  );
}
