/** report.md: the run's results, comparisons, outcomes and timings. */
import type { EvalSummary } from "../eval/summary.js";
import type { Manifest } from "../pipeline/manifest.js";
import { CATEGORY_NOTE } from "./categories.js";
import type { ReportExtras } from "./html.js";
import { comparisonNote, comparisonTable, markdownTable, outcomesTable, resultsTable, strengthNote, strengthTable, timingsTable } from "./tables.js";
import { trainingTable, type Curve } from "./training.js";
import { REPAIR_NOTE, repairComparisonTable, repairTable } from "./repair.js";

function provenance(summary: EvalSummary, manifest: Manifest | null): string {
  if (manifest === null) return `testtune ${summary.testtune_version}, seed ${summary.seed}.`;
  return `testtune ${manifest.testtune.version}${manifest.testtune.git_sha === null ? "" : ` (${manifest.testtune.git_sha.slice(0, 10)}${manifest.testtune.git_dirty === true ? ", modified" : ""})`}, seed ${manifest.seeds.run ?? "?"}, torch ${manifest.python.libraries.torch ?? "?"} on ${manifest.python.torch.cuda === true ? "CUDA" : "CPU"}.`;
}

/** The browser is HTML only; the Markdown report has the tables. */
export function renderMarkdown(summary: EvalSummary, manifest: Manifest | null, curves: readonly Curve[] = [], extras: Pick<ReportExtras, "categories"> = {}): string {
  const parts = [
    `# testtune report: ${manifest?.name ?? "evaluation"}`,
    "",
    provenance(summary, manifest),
    "A sample counts as correct when its test file is valid: at least one test ran, every test passed on the reference code, and at least one assertion ran. pass@k uses the unbiased estimator of Chen et al. (2021).",
    "",
    "## Results",
    "",
    markdownTable(resultsTable(summary)),
  ];
  if (extras.categories !== undefined && extras.categories !== null) parts.push("", "## By category", "", CATEGORY_NOTE, "", markdownTable(extras.categories));
  const strength = strengthTable(summary);
  if (strength !== null) parts.push("", "## Test strength", "", strengthNote(summary), "", markdownTable(strength));
  const repair = repairTable(summary);
  if (repair !== null) parts.push("", "## pass@1 after repair rounds", "", REPAIR_NOTE, "", markdownTable(repair));
  const repairVs = repairComparisonTable(summary);
  if (repairVs !== null) parts.push("", markdownTable(repairVs));
  if (summary.comparisons.length > 0) {
    parts.push("", "## Paired differences", "", `Against ${summary.baseline ?? "the baseline"}. ${comparisonNote(summary.comparisons)}`, "", markdownTable(comparisonTable(summary.comparisons)));
  }
  parts.push("", "## Outcomes of all samples", "", markdownTable(outcomesTable(summary)));
  if (curves.length > 0) {
    parts.push("", "## Training", "", "Each stage's metric averaged over the first and the last tenth of its logged steps (metrics.jsonl; ppo and grpo: their rollouts' rewards and valid rate).", "", markdownTable(trainingTable(curves)));
  }
  if (manifest !== null) parts.push("", "## Stage timings", "", markdownTable(timingsTable(manifest)));
  return `${parts.join("\n")}\n`;
}
