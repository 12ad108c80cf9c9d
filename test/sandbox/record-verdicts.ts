/**
 * Records the verdicts of the current executor on the differential corpus:
 *
 *   node dist/test/sandbox/record-verdicts.js [out.jsonl.gz]
 *
 * Run it only on an executor whose verdicts are trusted (the fixture was recorded before the
 * executor's per-run cost was cut, and a second recording gave the same file); `differential.test.ts` compares against it.
 */
import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { SandboxPool } from "../../src/sandbox/pool.js";
import { buildCorpus, runCorpus, VERDICTS_FIXTURE } from "./verdict-corpus.js";

const out = process.argv[2] ?? VERDICTS_FIXTURE;
const cases = await buildCorpus();
const pool = await SandboxPool.start({ workers: 2 });
try {
  const verdicts = await runCorpus(pool, cases);
  writeFileSync(out, gzipSync(verdicts.map((v) => JSON.stringify(v)).join("\n") + "\n"));
  const statuses = new Map<string, number>();
  for (const v of verdicts) statuses.set(v.status, (statuses.get(v.status) ?? 0) + 1);
  process.stdout.write(`${verdicts.length} verdicts -> ${out}: ${[...statuses].map(([s, n]) => `${s} ${n}`).join(", ")}\n`);
} finally {
  await pool.close();
}
