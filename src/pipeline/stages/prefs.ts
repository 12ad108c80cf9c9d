/** prefs: preference pairs from the SFT model's own samples on the train tasks (and, with `corpus_tasks`, on functions of a Python corpus), ranked by the sandbox. */
import { buildPreferencePairs } from "../../train/prefs.js";
import { stageSection, trainTasks, withSandbox } from "../../train/stage-support.js";
import { stageReward } from "../../config/run-config.js";
import { stageDir, type StageContext } from "../context.js";
import { corpusTasks } from "../corpus-tasks.js";
import { stageModelRef } from "../models.js";
import { runPromptOptions } from "../prompting.js";

export async function prefsStage(ctx: StageContext): Promise<Record<string, unknown>> {
  const { config } = ctx;
  const name = ctx.stage ?? "prefs";
  const prefs = stageSection(config, name, "prefs");
  const reward = stageReward(config, name);
  const corpus = prefs.corpus_tasks > 0 ? await corpusTasks(ctx, prefs.corpus_tasks) : [];
  const tasks = [...(await trainTasks(ctx, prefs.max_tasks)), ...corpus];
  const sft = stageModelRef(ctx.runDir, config, "sft");
  ctx.log(`  sampling ${prefs.n} test files for each of ${tasks.length} train tasks${corpus.length > 0 ? ` (${corpus.length} of them corpus functions)` : ""} and running them (reward '${reward}')`);
  const stats = await withSandbox(config, (pool) =>
    buildPreferencePairs({
      model: sft.model,
      adapter: sft.adapter,
      tasks,
      outDir: stageDir(ctx, name),
      n: prefs.n,
      margin: prefs.margin,
      pairsPerPrompt: prefs.pairs_per_prompt,
      validPairsPerPrompt: prefs.valid_pairs_per_prompt,
      validMargin: prefs.valid_margin,
      matchChecks: prefs.match_checks,
      reward,
      mutants: prefs.mutants,
      coverage: prefs.coverage,
      maxMutants: prefs.max_mutants,
      sampling: { temperature: prefs.temperature, top_p: prefs.top_p, max_new_tokens: prefs.max_new_tokens, batch_size: prefs.batch_size, backend: prefs.backend },
      prompt: runPromptOptions(ctx.runDir, config),
      seed: config.seed,
      executor: pool,
      runTimeoutS: config.sandbox.timeout_s,
      quiet: ctx.quiet,
    }),
  );
  ctx.log(`  ${stats.pairs} pairs from ${stats.prompts_with_pairs} of ${stats.prompts} prompts (dropped: ${stats.dropped.all_invalid} all failed, ${stats.dropped.all_tie} all tied, ${stats.dropped.below_margin} below the margin, ${stats.dropped.checks_unmatched} without a worse sample writing as few checks; ${stats.pairs_by_type.valid_vs_valid} of the pairs are valid vs valid)`);
  return { pairs: stats.pairs, prompts: stats.prompts, prompts_with_pairs: stats.prompts_with_pairs, dropped: stats.dropped, pairs_by_type: stats.pairs_by_type, valid_samples: stats.valid_samples, samples: stats.samples };
}
