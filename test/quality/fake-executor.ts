/**
 * A stand-in for the sandbox in scoring tests: it "runs" a test file by reading markers in it,
 * so tests can script every outcome without Python or bubblewrap.
 * - `# status: <outcome>` forces that status (default: passed);
 * - `# flaky-sandbox` returns sandbox_error the first time a file is seen;
 * - tests are the `def test_` lines, assertions the `assert ` lines;
 * - with mutants: 3 of 4 killed; mutants given in `mutant_list` are reported, the first as
 *   survived and the rest as killed (so an equivalence probe finds the first equivalent).
 */
import type { ExecRequest, ExecResult, Outcome, TestResult } from "../../src/sandbox/types.js";

export class FakeExecutor {
  readonly requests: ExecRequest[] = [];
  private readonly seen = new Set<string>();
  /** Called before each run returns (to abort a scoring run midway, for example). */
  onExec: ((count: number) => void) | undefined;

  async exec(request: ExecRequest): Promise<ExecResult> {
    this.requests.push(request);
    this.onExec?.(this.requests.length);
    await new Promise((resolve) => setImmediate(resolve));
    const firstTime = !this.seen.has(request.tests);
    this.seen.add(request.tests);
    const forced = /# status: (\w+)/.exec(request.tests)?.[1] as Outcome | undefined;
    const status: Outcome = request.tests.includes("# flaky-sandbox") && firstTime ? "sandbox_error" : (forced ?? "passed");
    const names = [...request.tests.matchAll(/def (test_\w+)/g)].map((m) => m[1] as string);
    const ran = status === "passed" || status === "failed" || status === "error";
    const tests: TestResult[] = ran
      ? names.map((name, i) => ({ nodeid: `test_${request.module ?? "solution"}.py::${name}`, outcome: status === "failed" && i === 0 ? "failed" : "passed", duration_s: 0.001, message: "" }))
      : [];
    const result: ExecResult = {
      status,
      tests,
      assertions: ran ? (request.tests.match(/assert /g) ?? []).length : 0,
      stdout: "",
      stderr: "",
      duration_s: 0.01,
      isolation: "none",
      detail: status === "passed" ? "" : `forced ${status}`,
    };
    if (request.mutants === true && status === "passed") {
      const listed = (request.mutant_list ?? []).map((m, i) => ({ id: m.id, operator: m.operator, line: m.line, status: i === 0 ? ("survived" as const) : ("killed" as const) }));
      result.mutation = { total: 4, killed: 3, survived: 1, timeout: 0, score: 0.75, mutants: listed };
    }
    if (request.coverage === true && ran) {
      result.coverage = { line: 0.5, branch: 0.25, lines_total: 4, lines_covered: 2, branches_total: 4, branches_covered: 1, missing_lines: [3, 4] };
    }
    return result;
  }
}
