/** report: report.md and report.html from eval/results.json and the manifest's timings. */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TesttuneError } from "../../errors.js";
import { readResults } from "../../eval/results-file.js";
import { renderHtml } from "../../report/html.js";
import { renderMarkdown } from "../../report/markdown.js";
import { readTrainingCurves } from "../../report/training.js";
import type { StageContext } from "../context.js";

export async function reportStage(ctx: StageContext): Promise<Record<string, unknown>> {
  const file = join(ctx.runDir, "eval", "results.json");
  if (!existsSync(file)) throw new TesttuneError("E_CONFIG", `the report needs ${file}`, { hint: "add the eval stage: --stages eval,report" });
  const summary = readResults(file);
  const curves = await readTrainingCurves(ctx.runDir);
  writeFileSync(join(ctx.runDir, "report.md"), renderMarkdown(summary, ctx.manifest, curves));
  writeFileSync(join(ctx.runDir, "report.html"), renderHtml(summary, ctx.manifest, curves));
  return { markdown: "report.md", html: "report.html" };
}
