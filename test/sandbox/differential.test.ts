/**
 * The executor's verdicts must not change when it is made faster: HumanEval's and MBPP's
 * reference tests and 2000 generated TinyTests files (with coverage and mutants where the
 * corpus asks for them) must get exactly the verdicts recorded from the executor before its
 * per-run cost was cut (test/fixtures/sandbox-verdicts.jsonl.gz, written by record-verdicts.ts): status,
 * per-test outcomes, assertion count, which mutants are detected, coverage fractions. The
 * hostile files of adversarial.test.ts and python/tests/test_executor_*.py keep their own
 * expected outcomes. Skipped (with the reason) when HumanEval or MBPP is not present.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { SandboxPool } from "../../src/sandbox/pool.js";
import { readJsonlAll } from "../../src/util/jsonl.js";
import { referenceDatasetsDir } from "../../src/util/paths.js";
import { buildCorpus, runCorpus, VERDICTS_FIXTURE, type Verdict } from "./verdict-corpus.js";

const present = ["HumanEval.jsonl.gz", "mbpp.jsonl"].every((f) => existsSync(join(referenceDatasetsDir(), f)));

test("every case of the corpus gets the verdict recorded before the executor was made faster", { skip: present ? false : `HumanEval and MBPP not found in ${referenceDatasetsDir()} (set TESTTUNE_DATASETS)`, timeout: 1_800_000 }, async () => {
  const recorded = (await readJsonlAll(VERDICTS_FIXTURE)).map((row) => row.value as Verdict);
  const cases = await buildCorpus();
  assert.deepEqual(cases.map((c) => c.id), recorded.map((v) => v.id), "the corpus is not the one the fixture was recorded on");
  const pool = await SandboxPool.start({ workers: 2 });
  let verdicts: Verdict[];
  try {
    verdicts = await runCorpus(pool, cases);
  } finally {
    await pool.close();
  }
  const differing = verdicts.filter((v, i) => JSON.stringify(v) !== JSON.stringify(recorded[i]));
  const shown = differing.slice(0, 3).map((v) => `now      ${JSON.stringify(v)}\nrecorded ${JSON.stringify(recorded.find((r) => r.id === v.id))}`);
  assert.equal(differing.length, 0, `${differing.length} of ${verdicts.length} verdicts changed:\n${shown.join("\n")}`);
  assert.ok(verdicts.filter((v) => v.detected !== undefined).length >= 1000, "the corpus compares mutant kills");
});
