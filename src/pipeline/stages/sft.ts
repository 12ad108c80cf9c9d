/** sft: supervised fine-tuning on (prompt -> reference test file) pairs, completion-only loss; with sft.stages, a curriculum (../curriculum.ts). */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runEngineJob } from "../../engine/job.js";
import { runPaths, stageDir, type StageContext } from "../context.js";
import { runCurriculum } from "../curriculum.js";
import { baseModel } from "../models.js";
import { selfgenFiles } from "./selfgen.js";

/** The SFT data: data/sft.jsonl, plus the selfgen stage's kept files when that stage ran. */
function sftDataFile(ctx: StageContext, dir: string): string {
  const selfgen = selfgenFiles(stageDir(ctx, "selfgen")).sft;
  if (!existsSync(selfgen)) return runPaths.sftData(ctx.runDir);
  const combined = join(dir, "train.jsonl");
  writeFileSync(combined, readFileSync(runPaths.sftData(ctx.runDir), "utf8") + readFileSync(selfgen, "utf8"));
  return combined;
}

export async function sftStage(ctx: StageContext): Promise<Record<string, unknown>> {
  const { config, runDir } = ctx;
  const dir = stageDir(ctx, "sft");
  const sft = config.sft;
  if (sft.stages.length > 0) return runCurriculum(ctx, sft.stages);
  const result = await runEngineJob(
    "sft",
    {
      base_model: baseModel(runDir, config),
      data: sftDataFile(ctx, dir),
      output_dir: dir,
      method: sft.lora ? "lora" : "full",
      max_steps: sft.max_steps,
      batch_size: sft.batch_size,
      grad_accum: sft.gradient_accumulation_steps,
      learning_rate: sft.learning_rate,
      warmup_ratio: sft.warmup_ratio,
      max_length: sft.max_length,
      save_steps: sft.save_steps,
      logging_steps: sft.logging_steps,
      seed: config.seed,
    },
    { metricsFile: join(dir, "metrics.jsonl"), quiet: ctx.quiet, label: "sft" },
  );
  const lastLogged = [...result.metrics].reverse().find((m) => typeof m.loss === "number");
  return { model: "sft/final", steps: sft.max_steps, final_loss: lastLogged?.loss ?? null, job_seconds: result.durationMs / 1000 };
}
