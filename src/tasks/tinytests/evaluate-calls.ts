/**
 * Computes what generated functions return, by executing them in one batch Python process
 * (python -m testtune_executor.calls). Only for testtune's own generated code: it is not
 * sandboxed.
 */
import { z } from "zod";
import { pythonEnv } from "../../engine/python-env.js";
import { EnvError } from "../../errors.js";
import { run } from "../../util/subprocess.js";

export interface CallBatchItem {
  code: string;
  calls: string[];
}

const callOutcomeSchema = z.union([
  z.object({ ok: z.literal(true), repr: z.string(), literal: z.boolean() }),
  z.object({ ok: z.literal(false), exception: z.string(), builtin: z.boolean() }),
  z.object({ ok: z.literal(false), timeout: z.literal(true) }),
]);
export type CallOutcome = z.infer<typeof callOutcomeSchema>;

const responseSchema = z.object({
  results: z.array(z.object({ module_error: z.string().nullable(), calls: z.array(callOutcomeSchema) })),
});
export type ItemOutcome = z.infer<typeof responseSchema>["results"][number];

export async function evaluateCalls(items: CallBatchItem[]): Promise<ItemOutcome[]> {
  if (items.length === 0) return [];
  const { python, env } = await pythonEnv();
  // The whole answer is one JSON document: keep all of it (run() keeps only a tail by default).
  const result = await run(python, ["-m", "testtune_executor.calls"], { env, input: JSON.stringify({ items }), timeoutMs: 600_000, maxOutput: 1_000_000_000 });
  if (!result.ok) {
    throw new EnvError(`python -m testtune_executor.calls failed (exit ${result.exitCode ?? result.signal}): ${result.stderr.trim().split("\n").slice(-5).join("\n")}`, {
      hint: "run 'testtune setup' to repair the Python environment",
    });
  }
  let document: unknown;
  try {
    document = JSON.parse(result.stdout);
  } catch {
    document = undefined;
  }
  const parsed = responseSchema.safeParse(document);
  if (!parsed.success || parsed.data.results.length !== items.length) {
    throw new EnvError(`python -m testtune_executor.calls answered an unexpected document: ${result.stdout.slice(0, 200)}`);
  }
  return parsed.data.results;
}
