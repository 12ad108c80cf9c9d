/**
 * data: the run's tasks, split into train and eval, and the SFT pairs (prompt -> reference
 * test file) for the train split. TinyTests are generated from the run's seed; a prepared
 * tasks.jsonl can be used instead.
 */
import { ConfigError } from "../../errors.js";
import { taskSchema, type Task } from "../../tasks/schema.js";
import { hasSftTarget, sftRow } from "../../tasks/sft.js";
import { sourceByName } from "../../tasks/sources/index.js";
import { generateTinyTests } from "../../tasks/tinytests/index.js";
import { sha256File } from "../../util/hash.js";
import { readJsonlAll, writeJsonl } from "../../util/jsonl.js";
import { validate } from "../../config/load.js";
import { expandKinds, kindsNeedSandbox } from "../../kinds/expand.js";
import type { SandboxPool } from "../../sandbox/pool.js";
import { withSandbox } from "../../train/stage-support.js";
import { runPaths, type StageContext } from "../context.js";
import { writeManifest } from "../manifest.js";
import { promptRecord, runPromptOptions } from "../prompting.js";

async function loadTasksFile(file: string): Promise<Task[]> {
  const rows = await readJsonlAll(file);
  return rows.map((r) => validate(taskSchema, r.value, `${file} line ${r.line}`));
}

/** Every task of a dataset source (a file, or fetched when `input` is absent), all in one split. */
async function sourceTasks(ctx: StageContext, source: string, input: string | undefined, split: "train" | "eval"): Promise<Task[]> {
  const loaded = await sourceByName(source).load({ input, seed: ctx.config.seed, evalFraction: 0, log: ctx.log });
  ctx.log(`  ${source}: ${loaded.tasks.length} tasks for ${split}`);
  return loaded.tasks.map((task) => ({ ...task, split }));
}

export async function dataStage(ctx: StageContext): Promise<Record<string, unknown>> {
  const { config, runDir } = ctx;
  let tasks: Task[];
  if (config.data.tasks_file !== undefined) {
    tasks = await loadTasksFile(config.data.tasks_file);
    const unsplit = tasks.filter((t) => t.split === undefined);
    if (unsplit.length > 0) {
      throw new ConfigError(config.data.tasks_file, "split", `${unsplit.length} task(s) have no split (first: ${unsplit[0]?.id})`, {
        hint: "prepare the file with 'testtune data prepare', which assigns deterministic splits",
      });
    }
  } else {
    ctx.log(`  generating TinyTests: ${config.data.train_tasks} train + ${config.data.eval_tasks} eval tasks, tiers ${config.data.tiers.join(",")}, seed ${config.seed}`);
    tasks = await generateTinyTests({ seed: config.seed, trainCount: config.data.train_tasks, evalCount: config.data.eval_tasks, tiers: config.data.tiers });
  }
  if (config.data.mbpp_file !== undefined) tasks = [...tasks, ...(await sourceTasks(ctx, "mbpp", config.data.mbpp_file, "train")).filter((t) => t.tests !== undefined)];
  if (config.data.eval_source === "humaneval") tasks = [...tasks.filter((t) => t.split === "train"), ...(await sourceTasks(ctx, "humaneval", config.data.eval_file, "eval"))];
  const kinds = config.data.kinds;
  let kindCounts: Record<string, unknown> | undefined;
  if (kinds.length !== 1 || kinds[0] !== "unit_test") {
    const expand = (executor?: SandboxPool): ReturnType<typeof expandKinds> => expandKinds(tasks, kinds, { seed: config.seed, executor, timeoutS: config.sandbox.timeout_s });
    const expanded = kindsNeedSandbox(kinds) ? await withSandbox(config, (pool) => expand(pool)) : await expand();
    tasks = expanded.tasks;
    kindCounts = expanded.counts;
    ctx.log(`  kinds: ${Object.entries(expanded.counts).map(([k, c]) => `${k} ${c.made}`).join(", ")}`);
  }
  const train = tasks.filter((t) => t.split === "train");
  const evalTasks = tasks.filter((t) => t.split === "eval" || t.split === "test");
  if (evalTasks.length === 0) throw new ConfigError(config.data.tasks_file ?? "data", "split", "no eval tasks", { hint: "the tasks need an eval split" });
  const prompt = runPromptOptions(runDir, config);
  const sft = train.filter(hasSftTarget).map((t) => sftRow(t, prompt.chat, prompt.system));
  writeJsonl(runPaths.tasks(runDir), tasks);
  writeJsonl(runPaths.trainTasks(runDir), train);
  writeJsonl(runPaths.evalTasks(runDir), evalTasks);
  writeJsonl(runPaths.sftData(runDir), sft);
  ctx.manifest.data = {
    "data/tasks.jsonl": await sha256File(runPaths.tasks(runDir)),
    "data/sft.jsonl": await sha256File(runPaths.sftData(runDir)),
  };
  ctx.manifest.prompt = promptRecord(prompt);
  writeManifest(runDir, ctx.manifest);
  if (prompt.chat !== undefined) ctx.log(`  prompts through the base model's chat template (${prompt.chat.file ?? "?"})`);
  ctx.log(`  ${train.length} train tasks (${sft.length} SFT pairs), ${evalTasks.length} eval tasks`);
  return { tasks: tasks.length, train: train.length, eval: evalTasks.length, sft_pairs: sft.length, prompt_form: prompt.chat === undefined ? "tests-only" : "chat", ...(kindCounts === undefined ? {} : { kinds: kindCounts }) };
}
