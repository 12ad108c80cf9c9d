/**
 * Tasks made of the functions of a Python corpus (by default the engine interpreter's own
 * standard library, present on every machine): code without reference tests, for the stages
 * that let the model write test files for code it was not trained on (selfgen, prefs).
 * Which corpus and which functions is the selfgen section's choice, so both stages agree.
 */
import { UsageError } from "../errors.js";
import { corpusSource } from "../tasks/sources/corpus.js";
import { seededOrder } from "../tasks/split.js";
import type { Task } from "../tasks/schema.js";
import { run } from "../util/subprocess.js";
import type { StageContext } from "./context.js";

/** The standard library directory of the engine's interpreter. */
async function stdlibDir(ctx: StageContext): Promise<string> {
  const result = await run(ctx.env.python, ["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], { env: ctx.env.env, timeoutMs: 60_000 });
  if (!result.ok) throw new UsageError(`cannot find the standard library of ${ctx.env.python}: ${result.stderr.trim()}`, "set selfgen.corpus to a directory of Python code");
  return result.stdout.trim();
}

/** A seeded choice of `maxTasks` module-level corpus functions, as train tasks. */
export async function corpusTasks(ctx: StageContext, maxTasks: number): Promise<Task[]> {
  const { selfgen, seed } = ctx.config;
  const input = selfgen.corpus === "stdlib" ? await stdlibDir(ctx) : selfgen.corpus;
  const loaded = await corpusSource.load({ input, seed, evalFraction: 0, log: ctx.log });
  // Module-level functions only: a method needs an instance of its class, which a small
  // model's test file rarely builds; long code makes long prompts, the cost of sampling.
  const eligible = loaded.tasks.filter((task) => task.metadata.kind === "function" && task.code.length <= selfgen.max_code_chars);
  ctx.log(`  ${eligible.length} of ${loaded.tasks.length} corpus functions are module-level with at most ${selfgen.max_code_chars} characters of code`);
  return seededOrder(eligible, seed).slice(0, maxTasks).map((task) => ({ ...task, split: "train" as const }));
}
