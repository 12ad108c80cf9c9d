import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { TesttuneError } from "../../src/errors.js";
import { readResults } from "../../src/eval/results-file.js";
import { writeReport } from "../../src/report/build.js";
import { categoryTable } from "../../src/report/categories.js";
import { readEvidence } from "../../src/report/evidence.js";
import { BROWSER_LIMITS, browserData, cutText } from "../../src/report/task-browser.js";
import { FIXTURE_TASKS, HOSTILE, writeEvalDir } from "./eval-dir-fixture.js";

const root = mkdtempSync(join(tmpdir(), "testtune-report-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("the report is built from an eval directory alone: categories in both files, the task browser in the HTML", async () => {
  const dir = writeEvalDir(join(root, "a"));
  const { markdown, html } = await writeReport({ evalDir: dir, outDir: dir });
  const md = readFileSync(markdown, "utf8");
  assert.match(md, /## By category/);
  assert.match(md, /\| arithmetic \| 2 \| 25\.0% \| 12\.5% \| 75\.0% \| 62\.5% \|/, "sft: 1 of 4 valid, grpo 3 of 4; mutation over samples, invalid = 0");
  assert.match(md, /\| branches \| 1 \| 0\.0% \| 0\.0% \| 0\.0% \| 0\.0% \|/);
  assert.doesNotMatch(md, /Stage timings/, "no manifest, no timings");
  assert.doesNotMatch(md, /task-data/);
  const page = readFileSync(html, "utf8");
  assert.match(page, /id="task-data"/);
  assert.match(page, /pass@k by k/);
  assert.match(page, /Outcomes of all samples by model/);
  assert.ok(!page.includes(HOSTILE), "a completion cannot end the data's script element");
  assert.ok(!/<script[^>]+src=|<link[^>]+href=|url\(http/.test(page), "nothing is loaded from outside the page");
});

test("best and worst samples: validity first, then reward; one sample has no worst", async () => {
  const dir = writeEvalDir(join(root, "b"));
  const data = browserData(await readEvidence(dir, ["sft", "grpo"]));
  const add = data.tasks.find((t) => t.id === "tt/add");
  assert.deepEqual([add?.models.sft?.best.status, add?.models.sft?.worst?.status], ["passed", "failed"]);
  assert.deepEqual(add?.models.sft?.best.missed, [{ operator: "compare:<-><=", line: 2, mutated: "if a <= 0:" }]);
  assert.match(add?.models.sft?.worst?.detail ?? "", /assert 4 == 3/);
  assert.deepEqual([add?.models.grpo?.best.reward, add?.models.grpo?.worst?.reward], [1, 0.8]);
  const pick = data.tasks.find((t) => t.id === "tt/pick");
  assert.match(pick?.models.grpo?.best.detail ?? "", /tests its own pick/, "a passing but invalid file shows why it is not valid");
  assert.equal(pick?.models.grpo?.best.status, "passed", "passed beats failed when neither is valid nor rewarded");
  assert.equal(pick?.category, "branches");
  assert.equal(data.tasks_left_out, 0);
});

test("a tasks file for all models (testtune eval's) is used, and only the tasks that were scored are listed", async () => {
  const dir = writeEvalDir(join(root, "shared-tasks"));
  const shared = join(dir, "data", "tasks.jsonl");
  mkdirSync(join(dir, "data"));
  const unscored = { id: "tt/never-sampled", source: "tinytests", code: "def f():\n    return 1\n", module: "solution", entry_points: ["f"], metadata: {} };
  writeFileSync(shared, [...readFileSync(join(dir, "sft", "tasks.jsonl"), "utf8").trim().split("\n"), JSON.stringify(unscored)].join("\n") + "\n");
  const evidence = await readEvidence(dir, ["sft", "grpo"], shared);
  assert.deepEqual(evidence.tasks.map((t) => t.id).sort(), FIXTURE_TASKS.map((t) => t.id).sort());
  const { html } = await writeReport({ evalDir: dir, outDir: dir, tasksFile: shared });
  assert.ok(!readFileSync(html, "utf8").includes("tt/never-sampled"));
});

test("long text is cut and says by how much", () => {
  const long = "x".repeat(BROWSER_LIMITS.detail + 25);
  assert.equal(cutText(long, BROWSER_LIMITS.detail), `${"x".repeat(BROWSER_LIMITS.detail)}\n… [25 more characters cut]`);
  assert.equal(cutText("short", 10), "short");
});

test("a directory without results.json is an error that says how to make one", async () => {
  await assert.rejects(writeReport({ evalDir: join(root, "none"), outDir: root }), (e: unknown) => e instanceof TesttuneError && /holds no results\.json/.test(e.message) && /testtune eval/.test(e.hint ?? ""));
});

test("no category table when no task carries a category; tasks without one get a (none) row", () => {
  const summary = readResults(join(writeEvalDir(join(root, "c")), "results.json"));
  assert.equal(categoryTable(summary, new Map([["tt/add", undefined], ["tt/neg", undefined], ["tt/pick", undefined]])), null);
  const table = categoryTable(summary, new Map([["tt/add", "arithmetic"]]));
  assert.deepEqual(table?.rows.map((r) => [r[0], r[1]]), [["arithmetic", "1"], ["(none)", "2"]]);
});
