import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ConfigError, EnvError } from "../../src/errors.js";
import { SandboxPool } from "../../src/sandbox/pool.js";
import { commandLine, descendants, parentOf, workingDirectory } from "./host.js";

const CODE = "def add(a, b):\n    return a + b\n";
const PASSING = "from solution import add\n\ndef test_a():\n    assert add(1, 2) == 3\n\ndef test_b():\n    assert add(-1, 1) == 0\n";
const FAILING = "from solution import add\n\ndef test_a():\n    assert add(1, 2) == 4\n";

let pool: SandboxPool;

before(async () => {
  pool = await SandboxPool.start({ workers: 2, defaultTimeoutS: 5 });
});

after(async () => {
  await pool.close();
});

test("more requests than executors queue and each gets its own result", async () => {
  const requests = Array.from({ length: 12 }, (_, i) => ({ code: CODE, tests: i % 3 === 0 ? FAILING : PASSING }));
  const results = await Promise.all(requests.map((r) => pool.exec(r)));
  assert.deepEqual(
    results.map((r) => r.status),
    requests.map((r) => (r.tests === FAILING ? "failed" : "passed")),
  );
  assert.ok(results.every((r) => r.isolation === "bubblewrap"));
  assert.equal(results[1]?.assertions, 2);
  assert.match(results[0]?.tests[0]?.message ?? "", /assert 3 == 4/);
});

test("coverage and mutants come back with the result", async () => {
  const result = await pool.exec({ code: CODE, tests: PASSING, coverage: true, mutants: true });
  assert.equal(result.status, "passed");
  assert.equal(result.coverage?.line, 1);
  assert.ok((result.mutation?.total ?? 0) > 0);
  assert.equal(result.mutation?.killed, result.mutation?.total);
});

test("a malformed request is a ConfigError naming the field, before or inside the executor", async () => {
  await assert.rejects(pool.exec({ code: CODE, tests: PASSING, timeout_s: -1 }), (e: unknown) => e instanceof ConfigError && e.field === "timeout_s");
  await assert.rejects(pool.exec({ code: CODE, tests: PASSING, files: { "../x.py": "" } }), (e: unknown) => e instanceof ConfigError && e.field.startsWith("files"));
  await assert.rejects(pool.exec({ code: CODE, tests: PASSING, module: "json" }), (e: unknown) => e instanceof ConfigError && e.field === "module");
  assert.equal((await pool.exec({ code: CODE, tests: PASSING })).status, "passed");
});

const SERVER = "-m testtune_executor.server --sandboxed";

/** Whether `pid` is an executor's Python server itself (bubblewrap's own processes carry the same words in their arguments). */
function isExecutorServer(pid: number): boolean {
  const argv = commandLine(pid);
  return argv.includes(SERVER) && !/^\S*bwrap\s/.test(argv);
}

/**
 * Waits until some executor is running a job (a forked runner in the job directory), then kills
 * that executor and waits until both it and its runner are gone: a runner orphaned by an earlier
 * kill is re-parented to bubblewrap for a moment, and must not be taken for a busy executor.
 */
async function killTheBusyExecutor(): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    for (const pid of descendants()) {
      const parent = parentOf(pid);
      if (parent !== undefined && workingDirectory(pid) === "/tmp/job" && isExecutorServer(parent)) {
        process.kill(parent, "SIGKILL");
        while (commandLine(parent) !== "" || commandLine(pid) !== "") await new Promise((resolve) => setTimeout(resolve, 20));
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("no executor started the job");
}

test("a dead executor is replaced and its job retried; a job that kills two is reported crashed", async () => {
  const slow = "import time\n\ndef test_slow():\n    time.sleep(2)\n";
  const retried = pool.exec({ code: CODE, tests: slow });
  await killTheBusyExecutor();
  const first = await retried;
  assert.equal(first.status, "passed", first.detail);

  const doomed = pool.exec({ code: CODE, tests: slow });
  await killTheBusyExecutor();
  await killTheBusyExecutor();
  const second = await doomed;
  assert.equal(second.status, "crashed");
  assert.match(second.detail, /executor died twice/);
  assert.equal((await pool.exec({ code: CODE, tests: PASSING })).status, "passed");
});

test("without bubblewrap the pool refuses to start, and says how to proceed", async () => {
  await assert.rejects(SandboxPool.start({ workers: 1, bwrap: "/nonexistent/bwrap" }), (e: unknown) => {
    assert.ok(e instanceof EnvError);
    assert.match(e.message, /bubblewrap/);
    assert.match(e.hint ?? "", /isolation none/);
    return true;
  });
});

test("isolation none must be asked for, and every result says so", async () => {
  const unsafe = await SandboxPool.start({ workers: 1, isolation: "none" });
  try {
    const result = await unsafe.exec({ code: CODE, tests: PASSING });
    assert.equal(result.status, "passed");
    assert.equal(result.isolation, "none");
  } finally {
    await unsafe.close();
  }
});

test("bad pool options are ConfigErrors naming the option", async () => {
  await assert.rejects(SandboxPool.start({ workers: 0 }), (e: unknown) => e instanceof ConfigError && e.field === "workers");
  await assert.rejects(SandboxPool.start({ memoryMb: 10 }), (e: unknown) => e instanceof ConfigError && e.field === "memoryMb");
});
