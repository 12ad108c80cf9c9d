import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "../../errors.js";
import { SandboxPool } from "../../sandbox/pool.js";
import { formatResult } from "../../sandbox/summary.js";
import type { ExecRequest, Isolation } from "../../sandbox/types.js";
import { flag, type Command } from "../command.js";

function readSource(option: string, file: string): string {
  if (!existsSync(file)) throw new UsageError(`--${option} ${file}: file not found`, `pass the path of an existing Python file to --${option}`);
  return readFileSync(file, "utf8");
}

export const execCommand: Command = {
  name: "exec",
  summary: "Run a pytest file against a module in the sandbox and report the outcome.",
  description: `The code is imported by the tests as 'solution' (or --module). Prints a summary, or with
--json one ExecResult object. Exit status: 0 when the run passed, 2 for any other outcome,
1 when the command itself failed. docs/sandbox.md explains every outcome.`,
  flags: [
    { name: "code", type: "string", value: "<file>", required: true, description: "the module under test" },
    { name: "tests", type: "string", value: "<file>", required: true, description: "the pytest file" },
    { name: "module", type: "string", value: "<name>", default: "solution", description: "module name the tests import" },
    { name: "json", type: "boolean", description: "print one JSON object (ExecResult) instead of a summary" },
    { name: "mutants", type: "boolean", description: "also run the tests against mutants of the code (when they pass)" },
    { name: "coverage", type: "boolean", description: "also measure line and branch coverage of the code" },
    { name: "timeout", type: "number", value: "<s>", default: 10, description: "wall-clock limit of the test run, seconds" },
    { name: "isolation", type: "string", value: "<bubblewrap|none>", default: "bubblewrap", description: "'none' runs the tests without a sandbox: only for code you trust" },
  ],
  async run(args) {
    const isolation = flag.str(args, "isolation") ?? "bubblewrap";
    if (isolation !== "bubblewrap" && isolation !== "none") throw new UsageError(`--isolation must be bubblewrap or none, got '${isolation}'`);
    const timeout = flag.num(args, "timeout") ?? 10;
    if (timeout <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got ${timeout}`);
    const request: ExecRequest = {
      code: readSource("code", flag.need(args, "code")),
      tests: readSource("tests", flag.need(args, "tests")),
      module: flag.str(args, "module") ?? "solution",
      timeout_s: timeout,
      mutants: flag.bool(args, "mutants"),
      coverage: flag.bool(args, "coverage"),
    };
    const pool = await SandboxPool.start({ workers: 1, isolation: isolation as Isolation, defaultTimeoutS: timeout });
    try {
      const result = await pool.exec(request);
      process.stdout.write(flag.bool(args, "json") ? `${JSON.stringify(result)}\n` : formatResult(result));
      if (result.isolation === "none") process.stderr.write("testtune: WARNING: this run had no isolation (--isolation none)\n");
      return result.status === "passed" ? 0 : 2;
    } finally {
      await pool.close();
    }
  },
};
