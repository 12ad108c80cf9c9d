/**
 * unit_test: write a pytest file for the code. The prompt, target, extraction and scoring are
 * the ones testtune had before kinds existed (src/prompts/template.ts, extract.ts,
 * src/quality/score.ts); this definition only wraps them.
 */
import { extractTestFile } from "../prompts/extract.js";
import { buildInstruction, buildPrompt } from "../prompts/template.js";
import { scoreCompletions, type ScoreSettings } from "../quality/score.js";
import type { KindCheck, TaskKind } from "./kind.js";

const DEFAULT_SETTINGS: ScoreSettings = { reward: "staged", mutants: false, coverage: false };

export const unitTest: TaskKind = {
  name: "unit_test",
  instruction: (task) => buildInstruction(task),
  plainPrompt: (task) => buildPrompt(task),
  target: (task) => (task.tests === undefined ? undefined : task.tests.endsWith("\n") ? task.tests : `${task.tests}\n`),
  extract: (completion, task) => extractTestFile(completion, task).tests,
  async check(task, answer, ctx): Promise<KindCheck> {
    const settings = ctx.unitTest ?? { ...DEFAULT_SETTINGS, ...(ctx.timeoutS === undefined ? {} : { timeoutS: ctx.timeoutS }) };
    const [rec] = await scoreCompletions([{ task, completion: answer }], ctx.executor, settings);
    if (rec === undefined) throw new Error("scoreCompletions returned no record for one completion");
    return {
      passed: rec.valid,
      score: rec.reward ?? 0,
      outcome: rec.status,
      compiled: rec.static_assertions !== null,
      details: { tests: rec.tests, assertions: rec.assertions, reward_preset: rec.reward_preset, detail: rec.detail, ...(rec.invalid_reason === undefined ? {} : { invalid_reason: rec.invalid_reason }) },
    };
  },
  reward: (check) => check.score,
};
