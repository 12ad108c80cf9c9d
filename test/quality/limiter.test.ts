/** The FIFO limit on sandbox runs that all reward-service requests share. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { AbandonedRun, ExecLimiter } from "../../src/quality/limiter.js";
import type { ExecRequest, ExecResult } from "../../src/sandbox/types.js";

/** Runs finish one macrotask after they start; records the most in flight at once. */
class CountingExecutor {
  running = 0;
  maxRunning = 0;
  async exec(_request: ExecRequest): Promise<ExecResult> {
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await new Promise((resolve) => setImmediate(resolve));
    this.running -= 1;
    return { status: "passed" } as ExecResult;
  }
}

test("64 runs of one request queue behind one slot, run one at a time, and raise no listener-leak warning", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.name);
  process.on("warning", onWarning);
  try {
    const executor = new CountingExecutor();
    const limiter = new ExecLimiter(executor, 1);
    const controller = new AbortController();
    const results = await Promise.all(Array.from({ length: 64 }, () => limiter.for(controller.signal).exec({ code: "", tests: "" })));
    assert.equal(results.length, 64);
    assert.equal(executor.maxRunning, 1);
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    assert.deepEqual(warnings.filter((name) => name === "MaxListenersExceededWarning"), []);
  } finally {
    process.off("warning", onWarning);
  }
});

test("an aborted request's queued runs are dropped at once and the slot passes on", async () => {
  const limiter = new ExecLimiter(new CountingExecutor(), 1);
  const controller = new AbortController();
  const first = limiter.for(controller.signal).exec({ code: "", tests: "" });
  const queued = limiter.for(controller.signal).exec({ code: "", tests: "" });
  controller.abort();
  await assert.rejects(queued, (e: unknown) => e instanceof AbandonedRun);
  assert.equal((await first).status, "passed");
  assert.equal((await limiter.exec({ code: "", tests: "" })).status, "passed");
  assert.deepEqual([limiter.inFlight, limiter.queued], [0, 0]);
});
