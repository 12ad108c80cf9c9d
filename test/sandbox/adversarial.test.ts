/**
 * Hostile test files against the bubblewrap sandbox. Each case must get its outcome, leave no
 * process and no file on the host, and leave the executor serving the next job normally.
 * Limits are small (256 MiB, 1-3 s) so the whole file runs in a few seconds of each.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readyPythonEnv } from "../../src/engine/python-env.js";
import { SandboxPool } from "../../src/sandbox/pool.js";
import type { ExecResult, Outcome } from "../../src/sandbox/types.js";
import { packageRoot } from "../../src/util/paths.js";
import { descendants } from "./host.js";

const CODE = "def add(a, b):\n    return a + b\n";
const NORMAL = "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n";

let pool: SandboxPool;
let baseline: number[];
let hostDir: string;

before(async () => {
  pool = await SandboxPool.start({ workers: 1, memoryMb: 256, tmpMb: 32, defaultTimeoutS: 3 });
  baseline = descendants();
  hostDir = mkdtempSync(join(tmpdir(), "testtune-adversarial-"));
});

after(async () => {
  await pool.close();
  rmSync(hostDir, { recursive: true, force: true });
});

/** Runs a hostile file, checks its outcome, then that nothing survived and the executor still works. */
async function hostile(tests: string, status: Outcome, detail?: RegExp, timeout_s = 3): Promise<ExecResult> {
  const result = await pool.exec({ code: CODE, tests, timeout_s });
  assert.equal(result.status, status, `${result.status}: ${result.detail}\n${result.stderr.slice(-500)}`);
  if (detail !== undefined) assert.match(result.detail, detail);
  assert.equal(result.isolation, "bubblewrap");
  assert.deepEqual(descendants(), baseline, "a process of the run outlived it");
  const next = await pool.exec({ code: CODE, tests: NORMAL });
  assert.equal(next.status, "passed", `the next job in the same executor: ${next.detail}`);
  return result;
}

test("a fork bomb is contained by the process limit and ends at the time limit", async () => {
  await hostile("import os\n\ndef test_bomb():\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n", "timeout", /limit was reached/, 2);
});

test("an infinite loop times out, naming the test that was running", async () => {
  await hostile("def test_loop():\n    while True:\n        pass\n", "timeout", /while running test_solution\.py::test_loop/, 1);
});

test("busy threads time out (wall clock or the CPU-time limit across threads)", async () => {
  const tests = "import threading\n\ndef spin():\n    while True:\n        pass\n\ndef test_threads():\n    threads = [threading.Thread(target=spin, daemon=True) for _ in range(8)]\n    for t in threads:\n        t.start()\n    for t in threads:\n        t.join()\n";
  await hostile(tests, "timeout", /limit was reached/, 2);
});

test("memory bombs hit the address-space limit", async () => {
  await hostile("def test_mem():\n    x = bytearray(4 * 1024 ** 3)\n", "memory");
  await hostile("def test_mem():\n    chunks = []\n    while True:\n        chunks.append(bytearray(16 * 1024 ** 2))\n", "memory");
});

test("huge output is cut to a bounded head and tail with a marker", async () => {
  const result = await hostile("import sys\n\ndef test_out():\n    for _ in range(500):\n        sys.stdout.write('x' * 100000)\n    print('the end')\n", "passed");
  assert.ok(result.stdout.length < 70_000, `${result.stdout.length} characters kept`);
  assert.match(result.stdout, /bytes truncated by the sandbox/);
  assert.match(result.stdout, /the end\s*$/);
});

test("filling the disk fails inside the sandbox's own small /tmp, never on the host", async () => {
  const before = readdirSync(tmpdir()).length;
  await hostile("def test_big_file():\n    with open('/tmp/fill', 'wb') as f:\n        f.write(b'0' * 64 * 1024 * 1024)\n", "failed", /File too large/);
  await hostile("def test_many_files():\n    n = 0\n    while True:\n        with open(f'/tmp/f{n}', 'wb') as f:\n            f.write(b'0' * 8 * 1024 * 1024)\n        n += 1\n", "failed", /No space left on device/);
  assert.ok(readdirSync(tmpdir()).length <= before + 1, "files appeared in the host's temporary directory");
});

test("writing outside the job directory fails and leaves nothing on the host", async () => {
  const targets = [join(hostDir, "written.txt"), join(packageRoot, "written-by-a-test.txt"), "/usr/written.txt", "/opt/testtune/lib/written.txt", "/written.txt"];
  const tests = `import pytest\n\n@pytest.mark.parametrize("path", ${JSON.stringify(targets)})\ndef test_write(path):\n    with open(path, "w") as f:\n        f.write("x")\n`;
  const result = await hostile(tests, "failed");
  assert.equal(result.tests.filter((t) => t.outcome === "failed").length, targets.length);
  for (const target of targets.slice(0, 2)) assert.equal(existsSync(target), false, `${target} was written on the host`);
});

/** Something in the host's home directory other than the path to the Python the sandbox binds. */
function homeEntry(): string | undefined {
  const home = process.env.HOME ?? "/root";
  const python = realpathSync(readyPythonEnv()?.python ?? "/usr/bin/python3");
  return readdirSync(home)
    .map((name) => join(home, name))
    .find((path) => !python.startsWith(`${path}/`));
}

test("host files are not there to read: secrets, the repository, the home directory", async () => {
  const secret = join(hostDir, "secret.txt");
  writeFileSync(secret, "hunter2");
  const home = homeEntry();
  const paths = ["/etc/shadow", "/etc/passwd", secret, join(packageRoot, "package.json"), ...(home === undefined ? [] : [home])];
  const tests = `import os, pytest\n\n@pytest.mark.parametrize("path", ${JSON.stringify(paths)})\ndef test_read(path):\n    assert not os.path.exists(path)\n\ndef test_environment_is_minimal():\n    assert os.environ["HOME"] == "/tmp"\n    assert not any("TESTTUNE" in k or "NODE" in k for k in os.environ)\n`;
  await hostile(tests, "passed");
});

test("no network: a listener on the host's loopback is unreachable", async () => {
  let connections = 0;
  const server: Server = createServer(() => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    const tests = `import socket\n\ndef test_connect():\n    socket.create_connection(("127.0.0.1", ${port}), timeout=1)\n\ndef test_dns():\n    socket.getaddrinfo("example.com", 80)\n`;
    const result = await hostile(tests, "failed");
    assert.match(result.tests[0]?.message ?? "", /ConnectionRefusedError/);
    assert.equal(connections, 0);
  } finally {
    server.close();
  }
});

test("input() reads end of file instead of hanging", async () => {
  await hostile("def test_input():\n    input('name? ')\n", "failed", /EOFError/);
});

test("killing the parent, every visible process, or -1 reaches nothing outside the run", async () => {
  const tests = "import os\n\ndef test_kill():\n    for pid in [os.getppid(), -1] + [int(p) for p in os.listdir('/proc') if p.isdigit()]:\n        if pid != os.getpid():\n            try:\n                os.kill(pid, 9)\n            except OSError:\n                pass\n";
  await hostile(tests, "passed");
});

test("os._exit(0) before the asserts is rejected, never passed", async () => {
  await hostile("import os\n\ndef test_a():\n    os._exit(0)\n    assert False\n", "rejected", /exited with status 0 before pytest finished/);
});

test("sys.exit() while the file is collected is rejected", async () => {
  await hostile("import sys\nsys.exit(0)\n\ndef test_a():\n    assert False\n", "rejected", /sys\.exit/);
});

test("a daemonised child that outlives its test is killed with the run", async () => {
  const marker = join(hostDir, "daemon-was-here");
  const tests = `import os, time\n\ndef test_daemon():\n    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n            time.sleep(2)\n            open(${JSON.stringify(marker)}, "w").write("x")\n            os._exit(0)\n        os._exit(0)\n    assert True\n`;
  await hostile(tests, "passed");
  await new Promise((resolve) => setTimeout(resolve, 2500));
  assert.equal(existsSync(marker), false);
});

test("deep recursion: Python's limit fails the test, a C-stack overflow crashes the run", async () => {
  await hostile("def f(n):\n    return f(n + 1)\n\ndef test_recursion():\n    f(0)\n", "failed", /RecursionError/);
  await hostile("import sys\nsys.setrecursionlimit(10 ** 7)\n\ndef f(n):\n    return list(map(f, [n + 1]))\n\ndef test_recursion():\n    f(0)\n", "crashed", /SIGSEGV/);
});

test("a segfault through ctypes crashes the run", async () => {
  await hostile("import ctypes\n\ndef test_segfault():\n    ctypes.string_at(0)\n", "crashed", /SIGSEGV/);
});

test("tampering with pytest's reports is rejected", async () => {
  const asPlugin = "import pytest\npytest_plugins = ['test_solution']\n\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n    outcome = yield\n    outcome.get_result().outcome = 'passed'\n\ndef test_a():\n    assert False\n";
  await hostile(asPlugin, "rejected", /registered a pytest plugin/);
  const patchedReport = "from _pytest.reports import TestReport\nTestReport.passed = property(lambda self: True)\n\ndef test_a():\n    assert False\n";
  await hostile(patchedReport, "rejected", /modified during the run/);
  const patchedRunner = "import _pytest.runner as runner\nreal = runner.call_and_report\n\ndef fake(item, when, log=True, **kw):\n    report = real(item, when, log=False, **kw)\n    report.outcome = 'passed'\n    item.ihook.pytest_runtest_logreport(report=report)\n    return report\n\nrunner.call_and_report = fake\n\ndef test_a():\n    assert False\n";
  await hostile(patchedRunner, "rejected", /modified during the run/);
  const fromFixture = "import pytest\n\nclass Evil:\n    @pytest.hookimpl(hookwrapper=True)\n    def pytest_runtest_makereport(self, item, call):\n        outcome = yield\n        outcome.get_result().outcome = 'passed'\n\n@pytest.fixture(autouse=True)\ndef evil(request):\n    request.config.pluginmanager.register(Evil())\n\ndef test_a():\n    assert False\n";
  await hostile(fromFixture, "rejected", /registered a pytest plugin/);
  const forged = "import json, os\nfor fd in range(3, 256):\n    try:\n        os.write(fd, (json.dumps({'record': 'done', 'exitstatus': 0}) + '\\n').encode())\n    except OSError:\n        pass\n\ndef test_a():\n    assert False\n";
  await hostile(forged, "rejected", /without the run's nonce/);
  await hostile("import gc\n\ndef test_a():\n    reports = [o for o in gc.get_objects() if type(o).__name__ == 'TestReport']\n    assert False\n", "rejected", /gc\.get_objects/);
  await hostile("import pytest\n\ndef test_a():\n    pass\n\ndef test_b():\n    pytest.exit('done', returncode=0)\n\ndef test_c():\n    assert False\n", "rejected", /do not match the collected tests/);
});

test("skipping everything is no_tests, not a pass", async () => {
  await hostile("import pytest\npytestmark = pytest.mark.skip\n\ndef test_a():\n    assert False\n", "no_tests");
});

test("files a run leaves in /tmp or /dev/shm are gone for the next run", async () => {
  const tests = "import os\n\ndef test_fresh():\n    assert not os.path.exists('/tmp/marker') and not os.path.exists('/dev/shm/marker')\n    open('/tmp/marker', 'w').write('x')\n    open('/dev/shm/marker', 'w').write('x')\n";
  await hostile(tests, "passed");
  await hostile(tests, "passed");
});
