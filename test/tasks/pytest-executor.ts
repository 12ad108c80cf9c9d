/**
 * Test helper: an Executor (the sandbox's interface) backed by plain pytest runs, unisolated,
 * for tests of the data pipeline that must not depend on the sandbox. Requests made in the
 * same tick are run in one Python process. Only status and (a rough) assertion count are real.
 */
import type { ExecRequest, ExecResult } from "../../src/sandbox/types.js";
import type { Executor } from "../../src/tasks/verify.js";
import { pytestExitCodes } from "./pytest-batch.js";

export class PytestExecutor implements Executor {
  readonly requests: ExecRequest[] = [];
  private pending: { request: ExecRequest; resolve: (r: ExecResult) => void }[] = [];

  exec(request: ExecRequest): Promise<ExecResult> {
    this.requests.push(request);
    return new Promise((resolve) => {
      this.pending.push({ request, resolve });
      if (this.pending.length === 1) setTimeout(() => void this.flush(), 0);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const codes = await pytestExitCodes(batch.map(({ request }) => ({ code: request.code, tests: request.tests, module: request.module ?? "solution" })));
    batch.forEach(({ request, resolve }, i) => {
      const code = codes[i];
      const status = code === 0 ? "passed" : code === 1 ? "failed" : code === 5 ? "no_tests" : "collection_error";
      resolve({
        status,
        tests: [],
        assertions: status === "passed" ? (request.tests.match(/\bassert\b|pytest\.raises/g) ?? []).length : 0,
        stdout: "",
        stderr: "",
        duration_s: 0,
        isolation: "none",
        detail: status === "passed" ? "" : `pytest exit ${code}`,
      });
    });
  }
}
