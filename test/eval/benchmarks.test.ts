/** Tasks for `testtune eval`: a tasks file, TinyTests by name (prepared once), and the mistakes. */
import assert from "node:assert/strict";
import { mkdtempSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { selectTasks } from "../../src/eval/benchmarks.js";
import { isTesttuneError } from "../../src/errors.js";
import { writeJsonl } from "../../src/util/jsonl.js";

const root = mkdtempSync(join(tmpdir(), "testtune-benchmarks-"));
const log = (): void => undefined;

test("tinytests by name is generated from the seed into DIR/data once, all tasks held out", async () => {
  const dataDir = join(root, "tt", "data");
  const first = await selectTasks({ benchmark: "tinytests", limit: 4, seed: 3, dataDir, log });
  assert.equal(first.tasks.length, 4);
  assert.ok(first.tasks.every((t) => t.source === "tinytests" && t.split === "eval"));
  const written = statSync(first.file).mtimeMs;
  const again = await selectTasks({ benchmark: "tinytests", limit: 4, seed: 3, dataDir, log });
  assert.deepEqual(again.tasks, first.tasks);
  assert.equal(statSync(again.file).mtimeMs, written, "prepared once, then read");
});

test("--tasks reads a prepared file; --limit keeps the first tasks", async () => {
  const file = join(root, "tasks.jsonl");
  writeJsonl(file, ["a", "b", "c"].map((id) => ({ id, source: "test", code: "x = 1\n" })));
  const selected = await selectTasks({ tasks: file, limit: 2, seed: 0, dataDir: join(root, "unused"), log });
  assert.deepEqual(selected.tasks.map((t) => t.id), ["a", "b"]);
});

test("neither or both of --tasks and --benchmark, an unknown benchmark, a missing file and a bad limit are usage errors", async () => {
  const base = { seed: 0, dataDir: join(root, "x"), log };
  await assert.rejects(selectTasks(base), /exactly one of --tasks FILE and --benchmark NAME/);
  await assert.rejects(selectTasks({ ...base, tasks: "a.jsonl", benchmark: "humaneval" }), /exactly one of/);
  await assert.rejects(selectTasks({ ...base, benchmark: "humaneva" }), (e: unknown) => isTesttuneError(e) && /unknown benchmark 'humaneva'/.test(e.message) && /humaneval, mbpp, testgeneval, tinytests/.test(e.hint ?? ""));
  await assert.rejects(selectTasks({ ...base, tasks: join(root, "missing.jsonl") }), /no such file/);
  await assert.rejects(selectTasks({ ...base, benchmark: "tinytests", limit: 0 }), /--limit must be a positive integer/);
});

test("mbpp without the hub says which --tasks file to prepare instead", async () => {
  // A datasets-server that refuses connections: the offline case, without waiting on a network.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const saved = { server: process.env.TESTTUNE_HF_DATASETS_SERVER, cache: process.env.TESTTUNE_CACHE_DIR };
  process.env.TESTTUNE_HF_DATASETS_SERVER = `http://127.0.0.1:${port}`;
  process.env.TESTTUNE_CACHE_DIR = join(root, "cache");
  try {
    await assert.rejects(selectTasks({ benchmark: "mbpp", seed: 0, dataDir: join(root, "mbpp"), log }), (e: unknown) => isTesttuneError(e) && e.code === "E_NETWORK" && /cannot get mbpp/.test(e.message) && /testtune data prepare --source mbpp --input FILE --out data\/mbpp' and --tasks data\/mbpp\/tasks.jsonl/.test(e.hint ?? ""));
  } finally {
    for (const [key, value] of [["TESTTUNE_HF_DATASETS_SERVER", saved.server], ["TESTTUNE_CACHE_DIR", saved.cache]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});
