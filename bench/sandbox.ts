/**
 * `npm run bench:sandbox`: how fast the sandbox runs test files, against the naive way
 * measured in the same run.
 *
 *   npm run bench:sandbox                         # 2 workers, bubblewrap
 *   npm run bench:sandbox -- --isolation none     # where bubblewrap cannot run
 *   npm run bench:sandbox -- --runs 600
 *
 * - sandbox: executions/s of a 3-test file on a pool of 2 executors (isolation on), after
 *   start-up, with every request submitted at once.
 * - baseline: one `python -m pytest` subprocess per execution (fresh interpreter, no
 *   isolation), as many at once as the machine has cores.
 * - mutants: wall time of one request that runs the tests against 10 mutants of a small
 *   function (the run on the original included), on an idle pool; median of several.
 * Targets: >= 100 executions/s, >= 10x the baseline, 10 mutants <= 0.2 s.
 *
 * On a shared machine the rates depend on what else runs, so the table also gives the CPU time
 * each execution cost (this process and every process under it, reaped ones included) and the
 * rate that CPU cost allows on 2 otherwise idle cores.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pythonEnv } from "../src/engine/python-env.js";
import { SandboxPool } from "../src/sandbox/pool.js";
import type { ExecRequest, Isolation } from "../src/sandbox/types.js";
import { run } from "../src/util/subprocess.js";

const CODE = `def clamp(x, low=0, high=10):
    if x < low:
        return low + 0
    if x > high:
        return high * 1
    return x
`;
const TESTS = `from solution import clamp

def test_inside():
    assert clamp(5) == 5

def test_below():
    assert clamp(-3, 0, 10) == 0

def test_above():
    assert clamp(12, 1, 11) == 11
`;

const CLOCK_TICKS = 100; // USER_HZ: the unit of /proc/<pid>/stat times on Linux

/** utime + stime + cutime + cstime of a process, seconds, and its parent. */
function procTimes(pid: number): { cpu: number; parent: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpu = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / CLOCK_TICKS;
    return { cpu, parent: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by this process and all its descendants (live ones, and the ones they reaped). */
function treeCpuSeconds(): number {
  const stats = new Map<number, { cpu: number; parent: number }>();
  for (const name of readdirSync("/proc")) if (/^\d+$/.test(name)) {
    const times = procTimes(Number(name));
    if (times !== undefined) stats.set(Number(name), times);
  }
  let total = 0;
  for (const [pid, { cpu }] of stats) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = stats.get(p)?.parent) {
      if (p === process.pid) {
        total += cpu;
        break;
      }
    }
  }
  return total;
}

interface Rate {
  perSecond: number;
  cpuMs: number;
}

async function measured(runs: number, body: () => Promise<void>): Promise<Rate> {
  const cpu = treeCpuSeconds();
  const started = performance.now();
  await body();
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: runs / seconds, cpuMs: ((treeCpuSeconds() - cpu) * 1000) / runs };
}

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function sandboxRate(pool: SandboxPool, runs: number): Promise<Rate> {
  const request: ExecRequest = { code: CODE, tests: TESTS };
  await Promise.all(Array.from({ length: pool.workers * 4 }, () => pool.exec(request)));
  return measured(runs, async () => {
    const results = await Promise.all(Array.from({ length: runs }, () => pool.exec(request)));
    const notPassed = results.filter((r) => r.status !== "passed");
    if (notPassed.length > 0) throw new Error(`${notPassed.length} runs did not pass: ${notPassed[0]?.detail}`);
  });
}

/** One `python -m pytest` per execution in its own directory, `parallel` at a time. */
async function baselineRate(runs: number, parallel: number): Promise<Rate> {
  const env = await pythonEnv({ quiet: true });
  const root = mkdtempSync(join(tmpdir(), "testtune-bench-"));
  let next = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (next < runs) {
      const dir = join(root, String(next++));
      mkdirSync(dir);
      writeFileSync(join(dir, "solution.py"), CODE);
      writeFileSync(join(dir, "test_solution.py"), TESTS);
      const result = await run(env.python, ["-m", "pytest", "-q", "-p", "no:cacheprovider", dir], { cwd: dir, env: { ...env.env, PYTHONDONTWRITEBYTECODE: "1" }, timeoutMs: 120_000 });
      if (!result.ok) failures += 1;
    }
  };
  const rate = await measured(runs, async () => {
    await Promise.all(Array.from({ length: parallel }, worker));
  });
  rmSync(root, { recursive: true, force: true });
  if (failures > 0) throw new Error(`${failures} baseline runs failed`);
  return rate;
}

async function mutantSeconds(pool: SandboxPool, repeats: number): Promise<{ seconds: number; mutants: number }> {
  const request: ExecRequest = { code: CODE, tests: TESTS, mutants: true, max_mutants: 10 };
  const times: number[] = [];
  let mutants = 0;
  for (let i = 0; i < repeats + 1; i++) {
    const started = performance.now();
    const result = await pool.exec(request);
    if (i > 0) times.push((performance.now() - started) / 1000); // the first one also generates the mutants
    mutants = result.mutation?.total ?? 0;
    if (result.status !== "passed") throw new Error(`the mutant request did not pass: ${result.detail}`);
  }
  return { seconds: median(times), mutants };
}

async function main(): Promise<void> {
  const isolation = option("isolation", "bubblewrap") as Isolation;
  const runs = Number(option("runs", "400"));
  const baselineRuns = Number(option("baseline-runs", "40"));
  const cores = availableParallelism();
  const startedAt = performance.now();
  const pool = await SandboxPool.start({ workers: 2, isolation });
  const startup = (performance.now() - startedAt) / 1000;
  try {
    const sandbox = await sandboxRate(pool, runs);
    const mutants = await mutantSeconds(pool, 5);
    const baseline = await baselineRate(baselineRuns, cores);
    const idle = (rate: Rate): number => (2 * 1000) / rate.cpuMs;
    const rows = [
      [`sandbox (2 executors, ${isolation})`, `${runs}`, sandbox.perSecond.toFixed(1), `${(sandbox.perSecond / baseline.perSecond).toFixed(1)}x`, sandbox.cpuMs.toFixed(1), idle(sandbox).toFixed(0)],
      [`baseline (python -m pytest, ${cores} at once)`, `${baselineRuns}`, baseline.perSecond.toFixed(1), "1.0x", baseline.cpuMs.toFixed(1), idle(baseline).toFixed(1)],
    ];
    const width = [46, 6, 9, 7, 12, 18];
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(width[i] as number) : c.padStart(width[i] as number))).join("  ");
    process.stdout.write(`${line(["3-test file", "runs", "exec/s", "ratio", "CPU ms/exec", "exec/s, 2 idle cores"])}\n${rows.map(line).join("\n")}\n\n`);
    process.stdout.write(`pool start-up (2 executors, warm-up included): ${startup.toFixed(2)} s\n`);
    process.stdout.write(`one request with ${mutants.mutants} mutants (plus the original run), median of 5: ${mutants.seconds.toFixed(3)} s\n`);
    const met = (ok: boolean): string => (ok ? "met" : "MISSED");
    process.stdout.write(`targets: >= 100 exec/s ${met(sandbox.perSecond >= 100)}; >= 10x baseline ${met(sandbox.perSecond / baseline.perSecond >= 10)}; 10 mutants <= 0.2 s ${met(mutants.seconds <= 0.2)}\n`);
  } finally {
    await pool.close();
  }
}

await main();
