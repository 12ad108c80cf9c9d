/** dpo: DPO on the prefs stage's pairs, a new LoRA adapter on the SFT model (its reference). */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runEngineJob } from "../../engine/job.js";
import { TesttuneError } from "../../errors.js";
import { prefsFiles } from "../../train/prefs.js";
import { mergeStageAdapter, sftStartModel, stageFigures, trainSection } from "../../train/stage-support.js";
import { stageDir, type StageContext } from "../context.js";

export async function dpoStage(ctx: StageContext): Promise<Record<string, unknown>> {
  const { config } = ctx;
  const dpo = trainSection(config, "dpo");
  const pairs = prefsFiles(stageDir(ctx, "prefs")).pairs;
  if (!existsSync(pairs)) throw new TesttuneError("E_CONFIG", `no preference pairs in ${pairs}`, { hint: "run the prefs stage first: --stages prefs,dpo" });
  const start = await sftStartModel(ctx);
  const dir = stageDir(ctx, "dpo");
  const result = await runEngineJob(
    "dpo",
    { model: start, data: pairs, output_dir: join(dir, "train"), ...dpo, seed: config.seed },
    { quiet: ctx.quiet, label: "dpo", metricsFile: join(dir, "metrics.jsonl") },
  );
  await mergeStageAdapter(ctx, "dpo", start);
  return stageFigures("dpo", result, dpo.max_steps);
}
