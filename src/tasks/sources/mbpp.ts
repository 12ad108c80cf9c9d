/**
 * MBPP (Austin et al. 2021, google-research mbpp.jsonl): task_id, text, code, test_list
 * (assert lines), test_setup_code, challenge_test_list. The tests are a pytest file with the
 * setup code, one test of the test_list asserts and, when present, one of the challenge asserts.
 */
import { Fields } from "../fields.js";
import { importBlock, namesToImport, normalizeNewlines, topLevelNames } from "../python-names.js";
import type { Task } from "../schema.js";
import { inputRows } from "./input.js";
import type { Drop, LoadResult, SourceAdapter } from "./types.js";

const EXPECTED = "an MBPP file (mbpp.jsonl: task_id, text, code, test_list, test_setup_code, challenge_test_list)";

function testFunction(name: string, asserts: string[]): string {
  const body = asserts.flatMap((a) => normalizeNewlines(a).trim().split("\n")).map((line) => `    ${line}`);
  return `def ${name}():\n${body.join("\n")}`;
}

/** The module's functions and classes that the asserts call, in order of first use. */
function entryPointsOf(code: string, asserts: string[]): string[] {
  const defined = topLevelNames(code);
  const called = asserts.join("\n").match(/[A-Za-z_]\w*(?=\s*\()/g) ?? [];
  return [...new Set(called.filter((n) => defined.has(n)))];
}

/** The paper's split by task id: 1-10 prompt, 11-510 test, 511-600 validation, 601-974 train. */
function originalSplit(taskId: number): string {
  if (taskId <= 10) return "prompt";
  if (taskId <= 510) return "test";
  return taskId <= 600 ? "validation" : "train";
}

export const mbppSource: SourceAdapter = {
  name: "mbpp",
  summary: "MBPP: 974 crowd-sourced problems; tests = test_list (+ challenge_test_list) asserts as pytest (CC BY 4.0)",
  hub: { repo: "google-research-datasets/mbpp", config: "full" },
  async load(options): Promise<LoadResult> {
    const tasks: Task[] = [];
    const drops: Drop[] = [];
    let rows = 0;
    for await (const row of inputRows("mbpp", this.hub, options)) {
      rows += 1;
      const f = new Fields(row, EXPECTED);
      const id = `mbpp/${f.id("task_id")}`;
      const code = `${normalizeNewlines(f.str("code")).trimEnd()}\n`;
      const asserts = f.strList("test_list");
      const challenge = f.has("challenge_test_list") ? f.strList("challenge_test_list") : [];
      const setup = normalizeNewlines(f.optStr("test_setup_code") ?? "").trim();
      const entryPoints = entryPointsOf(code, asserts);
      if (entryPoints.length === 0) {
        drops.push({ id, reason: "no entry point", detail: "the asserts call no function the code defines" });
        continue;
      }
      const main = entryPoints[0] as string;
      const blocks = [setup, testFunction(`test_${main}`, asserts), challenge.length > 0 ? testFunction(`test_${main}_challenge`, challenge) : ""].filter((b) => b !== "");
      const imports = importBlock("solution", namesToImport(code, blocks.join("\n"), entryPoints));
      tasks.push({
        id,
        source: "mbpp",
        code,
        module: "solution",
        entry_points: entryPoints,
        description: f.str("text"),
        tests: `${[imports, ...blocks].join("\n\n\n")}\n`,
        metadata: { task_id: f.raw("task_id"), mbpp_split: originalSplit(Number(f.id("task_id"))) },
      });
    }
    return { tasks, drops, rows };
  },
};
