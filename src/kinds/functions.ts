/**
 * What the kinds need from a module's syntax tree, for a batch of tasks in one Python process
 * (python/testtune_executor/kinds_prep.py): the `complete` prompt (signatures and docstrings),
 * the first entry point's docstring, and the candidate bugs for `bugfix`.
 */
import { z } from "zod";
import { pythonEnv } from "../engine/python-env.js";
import { EnvError } from "../errors.js";
import type { Task } from "../tasks/schema.js";
import { run } from "../util/subprocess.js";

const mutantSchema = z.object({ id: z.number().int(), operator: z.string(), line: z.number().int(), source: z.string() });
const resultSchema = z.object({
  given: z.string().nullable(),
  reason: z.string().nullable(),
  docstring: z.string().nullable(),
  bugs: z.array(mutantSchema).nullable(),
});
export type FunctionFacts = z.infer<typeof resultSchema>;

const TIMEOUT_MS = 600_000;

export async function prepareFunctions(tasks: readonly Task[]): Promise<FunctionFacts[]> {
  if (tasks.length === 0) return [];
  const { python, env } = await pythonEnv({ quiet: true });
  const items = tasks.map((t) => ({ code: t.code, entry_points: t.entry_points, description: t.description ?? null }));
  const result = await run(python, ["-m", "testtune_executor.kinds_prep"], { env, input: JSON.stringify({ items }), timeoutMs: TIMEOUT_MS, maxOutput: 1_000_000_000 });
  const fail = (why: string): EnvError => new EnvError(`python -m testtune_executor.kinds_prep failed: ${why}`, { hint: "run 'testtune setup' to repair the Python environment ('testtune doctor' checks it)" });
  if (!result.ok) throw fail(result.signal !== null ? `killed by ${result.signal}` : result.stderr.trim().slice(-500) || `exit code ${String(result.exitCode)}`);
  let document: unknown;
  try {
    document = JSON.parse(result.stdout);
  } catch (error) {
    throw fail(`unreadable answer (${(error as Error).message})`);
  }
  const parsed = z.object({ results: z.array(resultSchema) }).safeParse(document);
  if (!parsed.success || parsed.data.results.length !== tasks.length) throw fail("the answer does not have one result per task");
  return parsed.data.results;
}
