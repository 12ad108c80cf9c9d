/**
 * Any directory of Python code as tasks: top-level functions and methods of 5-60 lines,
 * extracted with tree-sitter together with the context they need (see corpus/extract.ts).
 * No reference tests: these tasks are for generating and scoring tests, not for SFT.
 *
 * Skipped while walking, and counted: hidden directories, __pycache__, virtual environments and
 * site-packages, test directories (test/, tests/) and test files (test_*.py, *_test.py,
 * conftest.py), files that are not UTF-8.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { UsageError } from "../../errors.js";
import { extractUnits, type ExtractOptions } from "../corpus/extract.js";
import { pythonParser } from "../corpus/parser.js";
import type { Task } from "../schema.js";
import type { LoadResult, SourceAdapter } from "./types.js";

export const CORPUS_LIMITS: ExtractOptions = {
  minLines: 5, // shorter functions rarely have behaviour worth a test file
  maxLines: 60, // longer ones make prompts too long for small models
  maxContextLines: 200,
};

const SKIPPED_DIRS = new Set(["__pycache__", "node_modules", "site-packages", "dist-packages", "test", "tests"]);

function skippedFile(name: string): boolean {
  return /^test_.*\.py$/.test(name) || /_test\.py$/.test(name) || name === "conftest.py";
}

/** The .py files under a directory, sorted, with counts of what was skipped and why. */
export function pythonFiles(root: string, skipped: Record<string, number>): string[] {
  const out: string[] = [];
  const count = (reason: string): void => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      let stats;
      try {
        stats = statSync(path);
      } catch {
        count("unreadable path");
        continue;
      }
      if (stats.isDirectory()) {
        if (name.startsWith(".") || SKIPPED_DIRS.has(name) || existsSync(join(path, "pyvenv.cfg"))) count(`directory skipped (${name.startsWith(".") ? "hidden" : SKIPPED_DIRS.has(name) ? name : "virtualenv"})`);
        else walk(path);
      } else if (name.endsWith(".py")) {
        if (skippedFile(name)) count("test file skipped");
        else out.push(path);
      }
    }
  };
  walk(root);
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

export const corpusSource: SourceAdapter = {
  name: "corpus",
  summary: "any directory of Python code: functions and methods of 5-60 lines with their module context (no reference tests)",
  async load(options): Promise<LoadResult> {
    if (options.input === undefined) throw new UsageError("--source corpus needs --input <directory of Python code>");
    if (!existsSync(options.input) || !statSync(options.input).isDirectory()) throw new UsageError(`--input ${options.input} is not a directory`, "pass a directory of Python code");
    const parser = await pythonParser();
    const skipped: Record<string, number> = {};
    const files = pythonFiles(options.input, skipped);
    const tasks: Task[] = [];
    const ids = new Set<string>();
    for (const file of files) {
      const rel = relative(options.input, file);
      let source: string;
      try {
        source = decoder.decode(readFileSync(file));
      } catch {
        skipped["file not UTF-8"] = (skipped["file not UTF-8"] ?? 0) + 1;
        continue;
      }
      const result = extractUnits(parser, source, CORPUS_LIMITS);
      for (const [reason, n] of Object.entries(result.skipped)) skipped[reason] = (skipped[reason] ?? 0) + n;
      for (const unit of result.units) {
        let id = `corpus/${rel}::${unit.qualname}`;
        for (let k = 2; ids.has(id); k++) id = `corpus/${rel}::${unit.qualname}#${k}`;
        ids.add(id);
        tasks.push({
          id,
          source: "corpus",
          code: unit.code,
          module: "solution",
          entry_points: [unit.entryPoint],
          category: rel.includes("/") ? (rel.split("/")[0] as string) : rel.replace(/\.py$/, ""),
          metadata: { file: rel, qualname: unit.qualname, kind: unit.kind, lines: unit.lines },
        });
      }
    }
    return { tasks, drops: [], rows: files.length, skipped };
  },
};
