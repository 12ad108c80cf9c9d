/** report: report.md and report.html from the run's eval directory, the manifest's timings and the training curves. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { TesttuneError } from "../../errors.js";
import { writeReport } from "../../report/build.js";
import { readTrainingCurves } from "../../report/training.js";
import type { StageContext } from "../context.js";

export async function reportStage(ctx: StageContext): Promise<Record<string, unknown>> {
  const evalDir = join(ctx.runDir, "eval");
  if (!existsSync(join(evalDir, "results.json"))) throw new TesttuneError("E_CONFIG", `the report needs ${join(evalDir, "results.json")}`, { hint: "add the eval stage: --stages eval,report" });
  await writeReport({ evalDir, outDir: ctx.runDir, manifest: ctx.manifest, curves: await readTrainingCurves(ctx.runDir) });
  return { markdown: "report.md", html: "report.html" };
}
