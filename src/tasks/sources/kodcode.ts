/**
 * KodCode (Xu et al. 2025, KodCode/KodCode-V1 and KodCode/KodCode-V1-SFT-R1): synthetic
 * questions with a GPT-4o solution and pytest tests that import it `from solution import ...`.
 * KodCode-V1 has a `test` column and `test_info`; KodCode-V1-SFT-R1 has `test_code`,
 * `test_entry_point`, `r1_correctness` and a `split` column (train, incorrect, use_with_caution).
 *
 * Kept: verified rows (gpt_pass_trial_num > 0: some GPT-4o trial passed its tests) whose tests
 * import from `solution`. Dropped, and counted: unverified rows, rows of the use_with_caution
 * split, tests that do not import the solution module.
 */
import { Fields } from "../fields.js";
import type { Task } from "../schema.js";
import { inputRows } from "./input.js";
import type { Drop, LoadResult, SourceAdapter } from "./types.js";

const EXPECTED = "a KodCode-V1 or KodCode-V1-SFT-R1 file (question, solution, test or test_code, gpt_pass_percentage, subset, ...)";
const IMPORTS_SOLUTION = /^\s*(from\s+solution\s+import\s|import\s+solution\b)/m;

function entryPoints(f: Fields, tests: string): string[] {
  if (f.has("test_info")) {
    const names = f.objList("test_info").map((info) => info.function_name).filter((n): n is string => typeof n === "string" && n !== "");
    if (names.length > 0) return names;
  }
  const declared = f.optStr("test_entry_point");
  if (declared !== undefined && declared.trim() !== "") return declared.split(",").map((n) => n.trim()).filter((n) => n !== "");
  const imported = /^\s*from\s+solution\s+import\s+\(?([^)\n]+)/m.exec(tests)?.[1] ?? "";
  return imported.split(",").map((n) => n.trim().split(/\s+as\s+/)[0] as string).filter((n) => /^[A-Za-z_]\w*$/.test(n));
}

export const kodcodeSource: SourceAdapter = {
  name: "kodcode",
  summary: "KodCode-V1 / KodCode-V1-SFT-R1: verified synthetic questions, solutions and pytest tests (CC BY-NC 4.0)",
  license: "KodCode is licensed CC BY-NC 4.0: non-commercial use only, with attribution (Xu et al. 2025, https://huggingface.co/datasets/KodCode/KodCode-V1).",
  hub: { repo: "KodCode/KodCode-V1", config: "default", splits: ["train"] },
  async load(options): Promise<LoadResult> {
    const tasks: Task[] = [];
    const drops: Drop[] = [];
    let rows = 0;
    for await (const row of inputRows("kodcode", this.hub, options)) {
      rows += 1;
      const f = new Fields(row, EXPECTED);
      const sft = f.has("test_code") || f.has("conversation_id");
      const rawId = sft ? f.id("conversation_id") : f.id("question_id");
      const id = `kodcode/${rawId}`;
      const tests = sft ? f.str("test_code") : f.str("test");
      const split = f.optStr("split");
      if (split === "use_with_caution") {
        drops.push({ id, reason: "use_with_caution split" });
        continue;
      }
      if (f.num("gpt_pass_trial_num") <= 0) {
        drops.push({ id, reason: "unverified (no GPT-4o trial passed)" });
        continue;
      }
      if (!IMPORTS_SOLUTION.test(tests)) {
        drops.push({ id, reason: "tests do not import from solution" });
        continue;
      }
      tasks.push({
        id,
        source: "kodcode",
        code: f.str("solution"),
        module: "solution",
        entry_points: entryPoints(f, tests),
        description: f.str("question"),
        tests,
        category: f.optStr("subset"),
        metadata: {
          dataset: sft ? "KodCode-V1-SFT-R1" : "KodCode-V1",
          style: f.optStr("style"),
          gpt_difficulty: f.optStr("gpt_difficulty"),
          gpt_pass_percentage: f.optNum("gpt_pass_percentage"),
          ...(sft ? { r1_correctness: f.optStr("r1_correctness"), kodcode_split: split } : {}),
        },
      });
    }
    return { tasks, drops, rows };
  },
};
