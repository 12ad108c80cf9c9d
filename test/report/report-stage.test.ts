import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { StageContext } from "../../src/pipeline/context.js";
import type { Manifest } from "../../src/pipeline/manifest.js";
import { reportStage } from "../../src/pipeline/stages/report.js";
import { writeJsonl } from "../../src/util/jsonl.js";
import { writeEvalDir } from "./eval-dir-fixture.js";

const root = mkdtempSync(join(tmpdir(), "testtune-report-stage-"));
after(() => rmSync(root, { recursive: true, force: true }));

const manifest = {
  name: "fixture-run",
  testtune: { version: "0.0.0-test", git_sha: "0123456789abcdef", git_dirty: false },
  seeds: { run: 7 },
  python: { libraries: { torch: "2.0" }, torch: { cuda: false } },
  stages: { eval: { status: "complete", duration_s: 12.5 }, report: { status: "running" } },
} as unknown as Manifest;

test("the report stage builds both files from the run's eval directory, with the run's timings and training curves", async () => {
  const runDir = join(root, "run");
  writeEvalDir(join(runDir, "eval"));
  writeJsonl(join(runDir, "sft", "metrics.jsonl"), [1, 2, 3].map((step) => ({ step, loss: 4 - step })));
  const ctx = { runDir, manifest, quiet: true, log: () => undefined } as unknown as StageContext;
  assert.deepEqual(await reportStage(ctx), { markdown: "report.md", html: "report.html" });
  const md = readFileSync(join(runDir, "report.md"), "utf8");
  assert.match(md, /^# testtune report: fixture-run/);
  assert.match(md, /\| eval \| complete \| 12\.5 s \|/);
  assert.match(md, /## By category/);
  const html = readFileSync(join(runDir, "report.html"), "utf8");
  for (const part of ["Stage timings", "sft: loss by step", 'id="task-data"', "By category"]) assert.ok(html.includes(part), part);
});

test("without eval results the stage says which stage to add", async () => {
  const ctx = { runDir: join(root, "empty"), manifest, quiet: true, log: () => undefined } as unknown as StageContext;
  await assert.rejects(reportStage(ctx), /the report needs .*results\.json/);
});
