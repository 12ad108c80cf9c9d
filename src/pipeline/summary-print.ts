/** What `testtune run` prints at the end: the pass@k table and where everything is. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { EvalSummary } from "../eval/summary.js";
import { markdownTable, resultsTable } from "../report/tables.js";
import { readJson } from "../util/jsonl.js";
import { formatDuration } from "../util/progress.js";

export function printRunSummary(runDir: string, elapsedS: number): void {
  const results = join(runDir, "eval", "results.json");
  const lines: string[] = [""];
  if (existsSync(results)) lines.push(markdownTable(resultsTable(readJson(results) as EvalSummary)), "");
  lines.push(`Run directory: ${runDir}`);
  if (existsSync(join(runDir, "report.md"))) lines.push(`Report: ${join(runDir, "report.md")} (and report.html)`);
  lines.push(`Wall time: ${formatDuration(elapsedS)}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}
