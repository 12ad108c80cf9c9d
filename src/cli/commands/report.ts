import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { locateResults } from "../../eval/results-file.js";
import { UsageError } from "../../errors.js";
import type { Manifest } from "../../pipeline/manifest.js";
import { writeReport } from "../../report/build.js";
import { readTrainingCurves } from "../../report/training.js";
import { readJson } from "../../util/jsonl.js";
import { flag, type Command } from "../command.js";

export const reportCommand: Command = {
  name: "report",
  summary: "Build report.md and report.html from a run directory or an eval directory.",
  description: `DIR is a run directory (its eval/results.json, manifest.json and training metrics) or an eval
directory (results.json and one folder per model with tasks, samples and scores, as 'testtune eval'
writes it). The report goes into DIR unless --out says otherwise. docs/report.md describes it.`,
  positionals: [{ name: "DIR", description: "a run directory or an eval directory", required: true }],
  flags: [{ name: "out", type: "string", value: "<dir>", description: "where report.md and report.html go (default: DIR)" }],
  async run(args) {
    if (args.positionals.length !== 1) throw new UsageError(`'report' takes one directory, got ${args.positionals.length}`, "testtune report DIR");
    const dir = resolve(args.positionals[0] as string);
    const evalDir = dirname(locateResults(dir));
    const isRun = evalDir !== dir;
    const manifestFile = join(dir, "manifest.json");
    const manifest = isRun && existsSync(manifestFile) ? (readJson(manifestFile) as Manifest) : null;
    const evalTasks = join(dir, "data", "tasks.jsonl");
    const outDir = resolve(flag.str(args, "out") ?? dir);
    mkdirSync(outDir, { recursive: true });
    const out = await writeReport({
      evalDir,
      outDir,
      manifest,
      curves: isRun ? await readTrainingCurves(dir) : [],
      // An eval directory keeps one tasks file for all its models.
      ...(!isRun && existsSync(evalTasks) ? { tasksFile: evalTasks } : {}),
    });
    process.stdout.write(`${out.markdown}\n${out.html}\n`);
    return 0;
  },
};
