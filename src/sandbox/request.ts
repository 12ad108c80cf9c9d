/**
 * Validation of what callers hand the sandbox: an ExecRequest, and the pool's options. The
 * executor checks jobs again (the Python side is the authority on module names, which must not
 * shadow the standard library); these schemas catch mistakes before a job is queued.
 */
import { availableParallelism } from "node:os";
import { z } from "zod";
import { validate } from "../config/load.js";
import type { ExecRequest } from "./types.js";

export const MAX_SOURCE_CHARS = 1_000_000;
const RESERVED_FILES = new Set(["pytest.ini", "pyproject.toml", "setup.cfg", "tox.ini", "__init__.py"]);

const relativeFile = z
  .string()
  .min(1)
  .refine((name) => !name.startsWith("/") && name.split("/").every((p) => p !== "" && p !== "." && p !== ".."), "must be a relative path without '.' or '..' parts")
  .refine((name) => !RESERVED_FILES.has(name) && !name.split("/").includes("conftest.py"), "is reserved: pytest configuration and conftest.py belong to the runner");

export const execRequestSchema = z
  .strictObject({
    code: z.string().max(MAX_SOURCE_CHARS).describe("The module under test, written as <module>.py"),
    tests: z.string().max(MAX_SOURCE_CHARS).describe("The pytest file, written as test_<module>.py"),
    module: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a Python identifier")
      .refine((m) => !/^(_?pytest|pluggy|testtune|coverage)/.test(m), "would shadow a module the runner uses")
      .optional()
      .describe("Module name the tests import (default solution)"),
    timeout_s: z.number().positive().max(3600).optional().describe("Wall-clock limit of the test run, seconds (default: the pool's)"),
    mutants: z.boolean().optional().describe("Also run the tests against mutants of the code when they pass"),
    coverage: z.boolean().optional().describe("Also measure line and branch coverage of the code"),
    files: z.record(relativeFile, z.string()).optional().describe("Extra files next to the code (relative path -> text)"),
    max_mutants: z.number().int().min(0).optional().describe("At most this many mutants (default: all)"),
    mutant_list: z
      .array(z.strictObject({ id: z.number().int(), operator: z.string(), line: z.number().int(), source: z.string() }))
      .optional()
      .describe("Mutants to run instead of generating them"),
  })
  .refine((r) => r.files === undefined || !Object.keys(r.files).some((f) => f === `${r.module ?? "solution"}.py` || f === `test_${r.module ?? "solution"}.py`), {
    message: "must not replace the code or the test file",
    path: ["files"],
  });

export function validateRequest(request: ExecRequest): ExecRequest {
  return validate(execRequestSchema, request, "exec request");
}

export const poolOptionsSchema = z.strictObject({
  workers: z.number().int().positive().max(256).default(() => availableParallelism()).describe("Executor processes (default: one per core)"),
  isolation: z.enum(["bubblewrap", "none"]).default("bubblewrap").describe("'none' runs tests without any boundary: only for code you trust"),
  defaultTimeoutS: z.number().positive().max(3600).default(10).describe("Wall-clock limit of a test run when the request gives none, seconds"),
  memoryMb: z.number().int().min(256).default(1024).describe("Address-space limit of a test process, MiB (pytest itself takes about 150)"),
  maxProcesses: z.number().int().min(8).default(64).describe("Processes and threads one test run may have"),
  fileSizeMb: z.number().int().positive().default(16).describe("Largest file a test may write, MiB"),
  tmpMb: z.number().int().positive().default(64).describe("Size of the sandbox's private /tmp, MiB"),
  maxOutputBytes: z.number().int().min(1024).default(65536).describe("stdout and stderr kept per run, each (head and tail, with a marker)"),
  startupTimeoutS: z.number().positive().default(120).describe("How long an executor may take to start and warm up, seconds"),
  bwrap: z.string().optional().describe("bubblewrap binary (default: TESTTUNE_BWRAP or bwrap on PATH)"),
});
export type PoolOptions = z.input<typeof poolOptionsSchema>;
export type PoolSettings = z.output<typeof poolOptionsSchema>;

export function validatePoolOptions(options: PoolOptions): PoolSettings {
  return validate(poolOptionsSchema, options, "sandbox pool options");
}
