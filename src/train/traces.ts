/**
 * Failure -> fix traces: a test file that failed on its code, the trimmed pytest log, and the
 * file that fixed it. `testtune refine` writes them; the curriculum's traces stage (stage C)
 * trains on them with the repair prompt. Any JSONL in this schema works, e.g. an agent's logs.
 */
import { z } from "zod";
import { parseLine } from "../quality/inputs.js";
import { buildRepairPrompt, buildRepairTarget, type RepairCase } from "../prompts/repair.js";
import type { PromptOptions } from "../prompts/template.js";
import type { SftRow } from "../tasks/sft.js";
import { readJsonl } from "../util/jsonl.js";
import { DataError } from "../errors.js";

export const traceSchema = z.looseObject({
  task_id: z.string().min(1).describe("The task the test file is for"),
  code: z.string().min(1).describe("The code under test"),
  module: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default("solution").describe("The module name the tests import"),
  failed_test: z.string().describe("The test file that failed on the code (empty when the model wrote none)"),
  failure_log: z.string().describe("Its trimmed pytest failure log"),
  fixed_test: z.string().min(1).describe("The test file that passed instead"),
  round: z.number().int().positive().default(1).describe("The repair round that fixed it (1 = the first repair)"),
  reward: z.number().nullable().default(null).describe("The reward of the fixed file"),
});
export type Trace = z.output<typeof traceSchema>;

const TRACE_HINT = "each line must be one trace object: {task_id, code, failed_test, failure_log, fixed_test, round, reward} (docs/training.md, 'Repair traces')";

export async function readTraces(file: string): Promise<Trace[]> {
  const traces: Trace[] = [];
  for await (const { line, value } of readJsonl(file)) traces.push(parseLine(traceSchema, value, file, line, "trace", TRACE_HINT));
  if (traces.length === 0) throw new DataError(file, "", "no traces in the file", { hint: "collect some with 'testtune refine'" });
  return traces;
}

export function repairCase(trace: Trace): RepairCase {
  return { module: trace.module, code: trace.code, failed_test: trace.failed_test, failure_log: trace.failure_log };
}

/** A trace as an SFT pair: the repair prompt, and the fixed file as the target. */
export function traceSftRow(trace: Trace, prompt: Pick<PromptOptions, "chat" | "system"> = {}): SftRow {
  const c = repairCase(trace);
  return { task_id: trace.task_id, prompt: buildRepairPrompt(c, prompt), completion: buildRepairTarget(c, trace.fixed_test, prompt) };
}
