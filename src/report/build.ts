/**
 * Writes report.md and report.html from an eval directory: its results.json and, when present,
 * each model's tasks, samples and scores (`<dir>/<model>/...`). The eval stage of `testtune run`
 * and `testtune eval` write the same layout, so the report does not depend on the pipeline; a
 * run adds its manifest (provenance, stage timings) and training curves.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DataError } from "../errors.js";
import { readResults } from "../eval/results-file.js";
import type { Manifest } from "../pipeline/manifest.js";
import { categoryTable } from "./categories.js";
import { readEvidence } from "./evidence.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { browserData } from "./task-browser.js";
import type { Curve } from "./training.js";

export interface ReportOptions {
  /** The eval directory: results.json and one folder per model. */
  evalDir: string;
  /** Where report.md and report.html go. */
  outDir: string;
  /** A run's manifest; null for an eval directory on its own. */
  manifest?: Manifest | null;
  curves?: readonly Curve[];
  /** The tasks all models were evaluated on, when the eval directory keeps them in one file. */
  tasksFile?: string;
}

export async function writeReport(options: ReportOptions): Promise<{ markdown: string; html: string }> {
  const file = join(options.evalDir, "results.json");
  if (!existsSync(file)) {
    throw new DataError(options.evalDir, "", "holds no results.json", { hint: "run the evaluation first ('testtune eval ... --out DIR', or the eval stage of 'testtune run': --stages eval,report)" });
  }
  const summary = readResults(file);
  const evidence = await readEvidence(options.evalDir, summary.models.map((m) => m.model), options.tasksFile);
  const categories = categoryTable(summary, new Map(evidence.tasks.map((t) => [t.id, t.category])));
  const browser = evidence.models.length === 0 ? null : browserData(evidence);
  const manifest = options.manifest ?? null;
  const curves = options.curves ?? [];
  const markdown = join(options.outDir, "report.md");
  const html = join(options.outDir, "report.html");
  writeFileSync(markdown, renderMarkdown(summary, manifest, curves, { categories }));
  writeFileSync(html, renderHtml(summary, manifest, curves, { categories, browser }));
  return { markdown, html };
}
