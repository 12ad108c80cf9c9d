/**
 * The executor protocol on the TypeScript side (docs/sandbox.md has the whole of it): the job
 * line written to the executor, and zod schemas for the lines it writes back, so that a
 * mismatch between the two sides is an error here and never a silently wrong result.
 */
import { z } from "zod";
import { OUTCOMES, type ExecRequest } from "./types.js";

export const PROTOCOL_VERSION = 1;

export const readySchema = z.object({
  type: z.literal("ready"),
  protocol: z.number().int(),
  python: z.string(),
  pytest: z.string(),
  coverage: z.string(),
  sandboxed: z.boolean(),
  namespaces: z.boolean().describe("whether each run gets its own user and PID namespace"),
  uid: z.number().int(),
});
export type ReadyMessage = z.infer<typeof readySchema>;

const testResultSchema = z.object({
  nodeid: z.string(),
  outcome: z.enum(["passed", "failed", "error", "skipped", "xfailed", "xpassed"]),
  duration_s: z.number(),
  message: z.string(),
});

const mutationSchema = z.object({
  total: z.number().int(),
  killed: z.number().int(),
  survived: z.number().int(),
  timeout: z.number().int(),
  score: z.number().min(0).max(1),
  mutants: z.array(z.object({ id: z.number().int(), operator: z.string(), line: z.number().int(), status: z.enum(["killed", "survived", "timeout", "error"]) })),
});

const coverageSchema = z.object({
  line: z.number().min(0).max(1),
  branch: z.number().min(0).max(1),
  lines_total: z.number().int(),
  lines_covered: z.number().int(),
  branches_total: z.number().int(),
  branches_covered: z.number().int(),
  missing_lines: z.array(z.number().int()),
});

/** An ExecResult as the executor sends it (the pool adds `isolation`). */
export const runResultSchema = z.object({
  status: z.enum(OUTCOMES),
  tests: z.array(testResultSchema),
  assertions: z.number().int().min(0),
  stdout: z.string(),
  stderr: z.string(),
  duration_s: z.number().min(0),
  detail: z.string(),
  mutation: mutationSchema.optional(),
  coverage: coverageSchema.optional(),
});
export type RunResult = z.infer<typeof runResultSchema>;

export const resultMessageSchema = z.object({ type: z.literal("result"), id: z.number().int(), result: runResultSchema });

/** Fields the pool adds to spread one request's mutants over several executors. */
export interface MutantShard {
  /** Run only mutants (the original run already passed, in another job), taking this long. */
  original_s: number;
  /** This job runs the mutants whose position i has i % count === index. */
  index: number;
  count: number;
}

/** The JSON line for one job (fields as in python/testtune_executor/protocol.py). */
export function jobLine(id: number, request: ExecRequest, defaultTimeoutS: number, shard?: MutantShard): string {
  return `${JSON.stringify({
    id,
    code: request.code,
    tests: request.tests,
    module: request.module ?? "solution",
    timeout_s: request.timeout_s ?? defaultTimeoutS,
    coverage: request.coverage ?? false,
    mutants: request.mutants ?? false,
    max_mutants: request.max_mutants ?? null,
    files: request.files ?? {},
    mutant_list: request.mutant_list ?? null,
    ...(shard === undefined ? {} : { mutants_only: true, original_s: shard.original_s, mutant_shard: [shard.index, shard.count] }),
  })}\n`;
}
