/**
 * `npm run bench:rewards`: the reward service (`testtune serve-rewards`, its own process) under
 * many clients at once, against one client measured in the same run.
 *
 *   npm run bench:rewards                                   # 48 clients, 2 sandbox workers, bubblewrap
 *   npm run bench:rewards -- --clients 64 --seconds 30 --max-queue 32
 *   npm run bench:rewards -- --isolation none               # where bubblewrap cannot run
 *
 * - baseline: one client sending batches of `--batch` completions one after the other.
 * - load: `--clients` clients, each sending batches back to back for `--seconds`; a refusal
 *   (503, queue full) is counted, and the client waits the Retry-After it was given and sends
 *   the same batch again. Two rounds of the same length, so memory can be compared between
 *   them (a leak grows from one to the next).
 * Every answer is checked against what was sent: each completion is one of a few files whose
 * outcome and test count are known, so a result given to the wrong request or lost is counted.
 * Latency is per answered request (send to answer, its refused tries and waits included).
 * Memory is the service process's resident set (VmRSS, sampled; VmHWM for the peak); the
 * sandbox's executor processes are not in it (their memory is bounded by the pool's size).
 * Mutants and coverage are off: this measures the service, not the mutation runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../src/util/paths.js";
import { Rng } from "../src/util/rng.js";

const CODE = "def clamp(x, low=0, high=10):\n    if x < low:\n        return low\n    if x > high:\n        return high\n    return x\n";
/** What a client may send, with the outcome and test count the service must answer for it. */
const FILES = [
  { text: "from solution import clamp\n\ndef test_inside():\n    assert clamp(5) == 5\n\ndef test_below():\n    assert clamp(-3) == 0\n\ndef test_above():\n    assert clamp(12) == 10\n", status: "passed", tests: 3 },
  { text: "from solution import clamp\n\ndef test_inside():\n    assert clamp(5) == 5\n\ndef test_wrong():\n    assert clamp(-3) == -3\n", status: "failed", tests: 2 },
  { text: "from solution import clamp\n\ndef test_one():\n    assert clamp(1) == 1\n", status: "passed", tests: 1 },
  { text: "I cannot write tests for this.", status: "syntax_error", tests: 0 },
];

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

function textOption(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

/** Nearest-rank percentile (q in [0, 1]) of a non-empty list. */
function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

function memoryKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? Number.NaN);
}

interface Round {
  clients: number;
  seconds: number;
  answered: number;
  completions: number;
  refusals: number;
  wrong: number;
  errors: string[];
  latenciesMs: number[];
  peakRssKb: number;
}

async function startService(tasksFile: string, isolation: string, maxQueue: number): Promise<{ child: ChildProcess; url: string }> {
  const args = [join(packageRoot, "dist", "src", "cli", "main.js"), "serve-rewards", "--tasks", tasksFile, "--port", "0", "--workers", "2", "--isolation", isolation];
  args.push("--reward", "staged", "--no-mutants", "--no-coverage", "--max-queue", String(maxQueue), "--timeout-s", "600");
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "ignore"] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const found = /reward service on (http:\S+)/.exec(output);
      if (found !== null) resolve(found[1] as string);
    });
    child.once("exit", (code) => reject(new Error(`serve-rewards exited with ${code}: ${output}`)));
  });
  return { child, url };
}

/** `clients` clients sending batches until `seconds` have passed; every answer is checked. */
async function round(url: string, pid: number, clients: number, seconds: number, batch: number, seed: number): Promise<Round> {
  const result: Round = { clients, seconds, answered: 0, completions: 0, refusals: 0, wrong: 0, errors: [], latenciesMs: [], peakRssKb: 0 };
  const sampler = setInterval(() => (result.peakRssKb = Math.max(result.peakRssKb, memoryKb(pid, "VmRSS"))), 100);
  const deadline = performance.now() + seconds * 1000;
  const client = async (rng: Rng): Promise<void> => {
    while (performance.now() < deadline) {
      const files = Array.from({ length: batch }, () => rng.pick(FILES));
      const body = JSON.stringify({ task_ids: files.map(() => "bench/clamp"), completions: files.map((f) => f.text) });
      const sent = performance.now();
      for (;;) {
        const res = await fetch(`${url}/v1/score`, { method: "POST", headers: { "content-type": "application/json" }, body });
        if (res.status === 503) {
          result.refusals += 1;
          await res.arrayBuffer();
          await new Promise((resolve) => setTimeout(resolve, Number(res.headers.get("retry-after") ?? "1") * 1000));
          continue;
        }
        const json = (await res.json()) as { details?: { status: string; tests: { total: number } }[]; error?: string };
        if (res.status !== 200 || json.details === undefined) {
          result.errors.push(`${res.status} ${json.error ?? ""}`);
          break;
        }
        result.latenciesMs.push(performance.now() - sent);
        result.answered += 1;
        result.completions += files.length;
        json.details.forEach((d, i) => {
          if (d.status !== files[i]?.status || d.tests.total !== files[i]?.tests) result.wrong += 1;
        });
        if (json.details.length !== files.length) result.wrong += Math.abs(files.length - json.details.length);
        break;
      }
    }
  };
  const rng = new Rng(seed);
  await Promise.all(Array.from({ length: clients }, (_, i) => client(rng.fork(`client-${i}`))));
  clearInterval(sampler);
  return result;
}

async function main(): Promise<void> {
  const clients = option("clients", 48);
  const seconds = option("seconds", 20);
  const batch = option("batch", 4);
  const maxQueue = option("max-queue", 64);
  const isolation = textOption("isolation", "bubblewrap");
  const dir = mkdtempSync(join(tmpdir(), "testtune-bench-rewards-"));
  const tasksFile = join(dir, "tasks.jsonl");
  writeFileSync(tasksFile, `${JSON.stringify({ id: "bench/clamp", source: "bench", code: CODE, entry_points: ["clamp"] })}\n`);
  const { child, url } = await startService(tasksFile, isolation, maxQueue);
  const pid = child.pid as number;
  try {
    await round(url, pid, 4, 3, batch, 1); // warm-up: executors forked, code paths compiled
    const rssWarm = memoryKb(pid, "VmRSS");
    const baseline = await round(url, pid, 1, seconds, batch, 2);
    const first = await round(url, pid, clients, seconds, batch, 3);
    const rssAfterFirst = memoryKb(pid, "VmRSS");
    const second = await round(url, pid, clients, seconds, batch, 4);
    const rssAfterSecond = memoryKb(pid, "VmRSS");
    const rows = [
      ["baseline (1 client)", baseline],
      [`load, round 1 (${clients} clients)`, first],
      [`load, round 2 (${clients} clients)`, second],
    ] as const;
    const width = [30, 9, 9, 11, 8, 8, 9, 9, 7, 13];
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(width[i] as number) : c.padStart(width[i] as number))).join("  ");
    const out = [line(["", "requests", "req/s", "completions", "refused", "wrong", "p50 ms", "p95 ms", "errors", "peak RSS MiB"])];
    for (const [name, r] of rows) {
      const p = (q: number): string => (r.latenciesMs.length === 0 ? "-" : percentile(r.latenciesMs, q).toFixed(0));
      out.push(line([name, String(r.answered), (r.answered / r.seconds).toFixed(1), String(r.completions), String(r.refusals), String(r.wrong), p(0.5), p(0.95), String(r.errors.length), (r.peakRssKb / 1024).toFixed(1)]));
    }
    process.stdout.write(`${out.join("\n")}\n\n`);
    process.stdout.write(`batches of ${batch} completions, ${seconds} s per round, --max-queue ${maxQueue}, 2 sandbox workers (${isolation}), reward staged without mutants or coverage\n`);
    process.stdout.write(`service RSS: ${(rssWarm / 1024).toFixed(1)} MiB after warm-up, ${(rssAfterFirst / 1024).toFixed(1)} after round 1, ${(rssAfterSecond / 1024).toFixed(1)} after round 2; peak (VmHWM) ${(memoryKb(pid, "VmHWM") / 1024).toFixed(1)} MiB\n`);
    process.stdout.write(`load vs baseline: ${(first.answered / baseline.answered).toFixed(2)}x requests/s, p50 latency ${(percentile(first.latenciesMs, 0.5) / percentile(baseline.latenciesMs, 0.5)).toFixed(1)}x\n`);
    const errors = [...baseline.errors, ...first.errors, ...second.errors];
    if (errors.length > 0) process.stdout.write(`errors: ${[...new Set(errors)].slice(0, 5).join("; ")}\n`);
    const wrong = baseline.wrong + first.wrong + second.wrong;
    process.stdout.write(`every request answered or refused, none lost or misrouted: ${errors.length === 0 && wrong === 0 ? "yes" : "NO"}\n`);
    if (errors.length > 0 || wrong > 0) process.exitCode = 1;
  } finally {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
