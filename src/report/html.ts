/** report.html: one self-contained page (inline CSS and SVG) with the report's tables and charts. */
import type { EvalSummary } from "../eval/summary.js";
import type { Manifest } from "../pipeline/manifest.js";
import { CATEGORY_NOTE } from "./categories.js";
import { outcomesChart, passAtKChart } from "./charts.js";
import { groupedBarChart, escapeXml, intervalChart, lineChart } from "./svg.js";
import { BROWSER_CSS, taskBrowserSection } from "./task-browser-html.js";
import type { BrowserData } from "./task-browser.js";
import { REPAIR_NOTE, repairComparisonTable, repairTable } from "./repair.js";
import { comparisonNote, comparisonTable, outcomesTable, resultsTable, strengthNote, strengthTable, timingsTable, type Table } from "./tables.js";
import { smoothed, trainingTable, type Curve } from "./training.js";

/** pass@1 after repair rounds, when eval ran them (src/report/repair.ts). */
function repairSection(summary: EvalSummary): string {
  const table = repairTable(summary);
  if (table === null) return "";
  const vs = repairComparisonTable(summary);
  return `<h2>pass@1 after repair rounds</h2>\n<p class="meta">${escapeXml(REPAIR_NOTE)}</p>\n${htmlTable(table)}${vs === null ? "" : `\n${htmlTable(vs)}`}`;
}

function htmlTable(table: Table): string {
  const head = table.header.map((h) => `<th>${escapeXml(h)}</th>`).join("");
  const body = table.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** One chart per training stage, its metrics smoothed. */
function trainingCharts(curves: readonly Curve[]): string {
  const stages = [...new Set(curves.map((c) => c.stage))];
  return stages
    .map((stage) => {
      const mine = curves.filter((c) => c.stage === stage).map((c) => ({ name: c.metric, ...smoothed(c.points) }));
      const window = Math.max(...mine.map((m) => m.window));
      return lineChart(`${stage}: ${mine.map((m) => m.name).join(", ")} by step${window > 1 ? ` (moving average of ${window})` : ""}`, mine);
    })
    .join("\n");
}

/** What the report shows beyond results.json and the manifest, when the eval directory has it. */
export interface ReportExtras {
  /** Per-category results (categoryTable), when tasks carry a category. */
  categories?: Table | null;
  /** The per-task browser's data, when the models' samples and scores are there. */
  browser?: BrowserData | null;
}

/** Where the results came from: the run's manifest, or results.json alone (an eval directory). */
function provenance(summary: EvalSummary, manifest: Manifest | null): string {
  if (manifest === null) return `testtune ${escapeXml(summary.testtune_version)}, seed ${summary.seed}.`;
  return `testtune ${escapeXml(manifest.testtune.version)} ${escapeXml(manifest.testtune.git_sha?.slice(0, 10) ?? "")}, seed ${manifest.seeds.run ?? "?"}, torch ${escapeXml(manifest.python.libraries.torch ?? "?")} on ${manifest.python.torch.cuda === true ? "CUDA" : "CPU"}.`;
}

export function renderHtml(summary: EvalSummary, manifest: Manifest | null, curves: readonly Curve[] = [], extras: ReportExtras = {}): string {
  const title = manifest?.name ?? "evaluation";
  const kCols = summary.ks.map((k) => `pass@${k}`);
  const metrics = [...kCols, "valid", "mutation"];
  const chart = groupedBarChart(
    "pass@k, valid rate and mutation score by model",
    metrics,
    summary.models.map((m) => ({
      name: m.model,
      values: [...kCols.map((k) => m.pass_at_k[k] ?? 0), m.valid_rate, m.mean_mutation_score ?? 0],
    })),
  );
  const strength = strengthTable(summary);
  const measured = summary.models.filter((m) => m.strength !== undefined && m.strength.valid_files_measured > 0);
  const histogram =
    measured.length === 0
      ? ""
      : groupedBarChart(
          "Mutation scores of valid files (fraction of each model's valid files per bin)",
          Array.from({ length: 10 }, (_, i) => `${i * 10}-${i === 9 ? 100 : i * 10 + 10}%`),
          measured.map((m) => {
            const s = m.strength as NonNullable<typeof m.strength>;
            return { name: m.model, values: s.mutation_histogram.map((c) => c / s.valid_files_measured) };
          }),
        );
  const forest =
    summary.comparisons.length === 0
      ? ""
      : intervalChart(
          "Paired differences against the baseline (95% CI)",
          summary.comparisons.map((c) => ({ label: `${c.model} vs ${c.baseline} (${c.metric})`, mean: c.mean_diff, low: c.bootstrap.ci_low, high: c.bootstrap.ci_high })),
        );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>testtune report: ${escapeXml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}svg{max-width:100%;height:auto;margin:1em 0}
.meta{color:#666;font-size:90%}${BROWSER_CSS}</style></head><body>
<h1>testtune report: ${escapeXml(title)}</h1>
<p class="meta">${provenance(summary, manifest)} A sample is correct when its test file is valid on the reference code; pass@k is the unbiased estimator of Chen et al. (2021).</p>
<h2>Results</h2>
${htmlTable(resultsTable(summary))}
${chart}
${passAtKChart(summary)}
${extras.categories === undefined || extras.categories === null ? "" : `<h2>By category</h2>\n<p class="meta">${escapeXml(CATEGORY_NOTE)}</p>\n${htmlTable(extras.categories)}`}
${strength === null ? "" : `<h2>Test strength</h2>\n<p>${escapeXml(strengthNote(summary))}</p>\n${htmlTable(strength)}\n${histogram}`}
${repairSection(summary)}
${summary.comparisons.length === 0 ? "" : `<h2>Paired differences</h2>\n<p class="meta">Against ${escapeXml(summary.baseline ?? "the baseline")}. ${escapeXml(comparisonNote(summary.comparisons))}</p>\n${htmlTable(comparisonTable(summary.comparisons))}\n${forest}`}
<h2>Outcomes of all samples</h2>
${htmlTable(outcomesTable(summary))}
${outcomesChart(summary)}
${extras.browser === undefined || extras.browser === null ? "" : taskBrowserSection(extras.browser)}
${curves.length === 0 ? "" : `<h2>Training</h2>\n${htmlTable(trainingTable(curves))}\n${trainingCharts(curves)}`}
${manifest === null ? "" : `<h2>Stage timings</h2>\n${htmlTable(timingsTable(manifest))}`}
</body></html>
`;
}
