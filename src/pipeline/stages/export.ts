/**
 * export: the run's best trained model (highest pass@1 in eval/results.json, base excluded) as
 * GGUF files, an Ollama Modelfile and a model card in export/, verified against llama.cpp as
 * `testtune model export` verifies it (the f16 file must reproduce the greedy tokens).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { TesttuneError } from "../../errors.js";
import type { ModelResults } from "../../eval/results.js";
import { exportModel } from "../../model/export.js";
import { readJson } from "../../util/jsonl.js";
import { stageDir, type StageContext } from "../context.js";

/** The trained model with the highest pass@1; on a tie the one listed first in results.json (eval.models' order). */
export function bestTrainedModel(models: readonly Pick<ModelResults, "model" | "pass@1">[]): string | undefined {
  let best: Pick<ModelResults, "model" | "pass@1"> | undefined;
  for (const m of models) {
    if (m.model === "base") continue;
    if (best === undefined || m["pass@1"] > best["pass@1"]) best = m;
  }
  return best?.model;
}

export async function exportStage(ctx: StageContext): Promise<Record<string, unknown>> {
  const resultsFile = join(ctx.runDir, "eval", "results.json");
  if (!existsSync(resultsFile)) throw new TesttuneError("E_CONFIG", `the export stage picks the best model from ${resultsFile}, which does not exist`, { hint: "add the eval stage: --stages eval,export" });
  const results = readJson(resultsFile) as { models: ModelResults[] };
  const best = bestTrainedModel(results.models);
  if (best === undefined) throw new TesttuneError("E_CONFIG", `${resultsFile} has no trained model to export (only base)`, { hint: "evaluate a trained stage: eval.models: [base, sft, ...]" });
  const pass = results.models.find((m) => m.model === best)?.["pass@1"] ?? 0;
  ctx.log(`  exporting ${best} (pass@1 ${(100 * pass).toFixed(1)}%, the best trained model) as ${ctx.config.export.quants.join(", ")}`);
  const result = await exportModel({ model: join(ctx.runDir, best), out: stageDir(ctx, "export"), quants: [...ctx.config.export.quants], quiet: ctx.quiet });
  for (const f of result.files) ctx.log(`  ${f.file}: ${(f.bytes / 1e6).toFixed(1)} MB, next token the same as the Hugging Face model's on ${f.agreement.next_token.same}/${f.agreement.prompts} prompts`);
  return { model: best, "pass@1": pass, files: result.files.map((f) => f.file), f16_reproduces: result.f16_reproduces };
}
