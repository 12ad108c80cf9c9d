/** dpo: DPO on the prefs stage's pairs, a new LoRA adapter on the start model (SFT unless `from` says otherwise; its reference). */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runEngineJob } from "../../engine/job.js";
import { TesttuneError } from "../../errors.js";
import { prefsFiles, type PrefsStats } from "../../train/prefs.js";
import { readJson } from "../../util/jsonl.js";
import { mergeStageAdapter, stageFigures, stageSection, startModel } from "../../train/stage-support.js";
import { stageDir, type StageContext } from "../context.js";

export async function dpoStage(ctx: StageContext): Promise<Record<string, unknown>> {
  const { config } = ctx;
  const name = ctx.stage ?? "dpo";
  const { from, ...dpo } = stageSection(config, name, "dpo");
  const prefsStage = name.replace(/^dpo/, "prefs"); // dpo_<preset> learns from prefs_<preset>
  const { pairs, stats } = prefsFiles(stageDir(ctx, prefsStage));
  if (!existsSync(stats)) throw new TesttuneError("E_CONFIG", `no preference pairs in ${pairs}`, { hint: `run the ${prefsStage} stage first: --stages ${prefsStage},${name}` });
  const made = readJson(stats) as PrefsStats;
  if (made.pairs === 0) {
    throw new TesttuneError("E_DATA", `the prefs stage found no preference pairs: of ${made.prompts} prompts, ${made.dropped.all_invalid} had no valid sample, ${made.dropped.all_tie} all tied, ${made.dropped.below_margin} were below the margin, ${made.dropped.checks_unmatched ?? 0} had no worse sample writing as few checks (prefs.match_checks)`, {
      hint: `DPO needs a model that already writes some valid tests: train SFT longer (sft.max_steps), sample more (prefs.n), or lower prefs.margin; then delete ${prefsStage}/status.json and re-run`,
    });
  }
  const start = await startModel(ctx, name, from);
  const dir = stageDir(ctx, name);
  const result = await runEngineJob(
    "dpo",
    { model: start, data: pairs, output_dir: join(dir, "train"), ...dpo, seed: config.seed },
    { quiet: ctx.quiet, label: name, metricsFile: join(dir, "metrics.jsonl") },
  );
  await mergeStageAdapter(ctx, name, start);
  return stageFigures(name, result, dpo.max_steps);
}
