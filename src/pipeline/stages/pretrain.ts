/** pretrain: the tiny default base (tokenizer trained on the run's corpus, Llama from a config). */
import { join } from "node:path";
import { runEngineJob } from "../../engine/job.js";
import { runPaths, stageDir, type StageContext } from "../context.js";

export async function pretrainStage(ctx: StageContext): Promise<Record<string, unknown>> {
  const { config, runDir } = ctx;
  if (config.model.base !== undefined) {
    ctx.log(`  using the base model ${config.model.base}; nothing to pretrain`);
    return { model: config.model.base, built: false };
  }
  const tiny = config.model.tiny;
  const dir = stageDir(ctx, "pretrain");
  const result = await runEngineJob(
    "pretrain",
    {
      corpus: runPaths.sftData(runDir),
      output_dir: runPaths.pretrainedModel(runDir),
      seed: config.seed,
      vocab_size: tiny.vocab_size,
      hidden_size: tiny.hidden_size,
      num_layers: tiny.num_layers,
      num_heads: tiny.num_heads,
      num_kv_heads: tiny.num_heads,
      intermediate_size: tiny.intermediate_size,
      max_position_embeddings: tiny.max_position,
      steps: config.pretrain.steps,
      batch_size: config.pretrain.batch_size,
      learning_rate: config.pretrain.learning_rate,
    },
    { metricsFile: join(dir, "metrics.jsonl"), quiet: ctx.quiet, label: "pretrain" },
  );
  return { model: "pretrain/model", built: true, job_seconds: result.durationMs / 1000 };
}
