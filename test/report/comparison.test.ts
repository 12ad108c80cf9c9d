import assert from "node:assert/strict";
import { test } from "node:test";
import type { Manifest } from "../../src/pipeline/manifest.js";
import { renderHtml } from "../../src/report/html.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { fiveEach, modelResults, summaryOf } from "../eval/fixtures.js";

const manifest: Manifest = {
  format: 1,
  name: "demo",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  testtune: { version: "0.0.0-test", git_sha: null, git_dirty: null },
  node: "20",
  python: { python: "3.11", platform: "linux", torch: { version: "2", cuda: false }, libraries: {} } as unknown as Manifest["python"],
  seeds: { run: 3 },
  data: {},
  stages: {},
};
const A = [1, 2, 0, 5, 3, 4, 0, 1];
const summary = summaryOf([
  modelResults("sft", fiveEach(A)),
  modelResults("dpo", fiveEach(A.map((c) => Math.min(5, c + 2)))),
  modelResults("ppo", fiveEach(A.map((c, i) => (i % 2 === 0 ? Math.min(5, c + 1) : c)))),
]);

test("the Markdown report shows every paired test, with Holm-adjusted p-values for several models", () => {
  const md = renderMarkdown(summary, manifest);
  assert.match(md, /## Paired differences\n\nAgainst sft\. Per-task differences .* paired t-test, the Wilcoxon signed-rank test .* sign-flip permutation test.*Holm-adjusted/);
  assert.match(md, /\| p t-test \| p Wilcoxon \| p sign-flip \| p McNemar \|/);
  // dpo: 2 more valid samples of 5 per task (at most 5): 16/40 -> 29/40, level only on the task already at 5.
  const dpo = md.split("\n").find((l) => l.startsWith("| dpo vs sft | pass@1"));
  assert.ok(dpo !== undefined, md);
  assert.match(dpo, /\| 40\.0% \| 72\.5% \| \+32\.5 \| \[\+\d+\.\d, \+\d+\.\d\] \| [<0-9.]+ \([<0-9.]+\) \| [<0-9.]+ \([<0-9.]+\) \| [<0-9.]+ \([<0-9.]+\) \| - \| 7\/0\/1 \|/);
});

test("the HTML report has the same table and the interval chart from the bootstrap bounds", () => {
  const html = renderHtml(summary, manifest);
  assert.match(html, /<th>p Wilcoxon<\/th>/);
  assert.match(html, /<td>dpo vs sft<\/td>/);
  const c = summary.comparisons.find((x) => x.model === "dpo" && x.metric === "pass@1");
  const label = `dpo vs sft (pass@1): ${(100 * (c?.mean_diff ?? 0)).toFixed(1)} [${(100 * (c?.bootstrap.ci_low ?? 0)).toFixed(1)}, ${(100 * (c?.bootstrap.ci_high ?? 0)).toFixed(1)}] points`;
  assert.ok(html.includes(label), label);
});
