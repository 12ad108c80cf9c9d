/**
 * Scoring completions by their task's kind. unit_test completions go through the test-file
 * scorer as before (src/quality/score.ts, unchanged records); every other kind through its
 * definition's extract and check. Each record then carries the kind's verdict (kind, passed,
 * score, outcome, compiled, ...) beside the fields every consumer already reads: `valid` is
 * `passed`, `reward` the kind's reward, `status` the nearest sandbox outcome.
 *
 * Every record also carries the checks all kinds share (answer-checks.ts): the placeholders
 * found in the answer and, for code answers, the style score.
 *
 * `testtune score`, the pipeline's prefs and eval stages (through scoreFiles) and the reward
 * service use this, so one tasks file may mix kinds.
 */
import { scoreCompletions, type Completion, type Executor, type ScoreRecord, type ScoreSettings } from "../quality/score.js";
import type { Outcome } from "../sandbox/types.js";
import type { Task } from "../tasks/schema.js";
import { kindName, kindOf } from "./index.js";
import { answerChecks, withAnswerChecks } from "./answer-checks.js";
import type { KindCheck } from "./kind.js";
import { unitTest } from "./unit_test.js";

/** The kind fields a score record gains (all kinds; for unit_test they restate valid/reward/status). */
export type KindFields = { kind: string } & Omit<KindCheck, "details">;

export type KindScoreRecord = ScoreRecord & Partial<KindFields>;

const NO_TESTS = { total: 0, passed: 0, failed: 0, error: 0, other: 0 };

/** The sandbox outcome a kind's outcome stands for in `status` (read by the eval taxonomy of test files). */
function statusOf(check: KindCheck): Outcome {
  const status = check.details?.status;
  if (typeof status === "string") return status as Outcome;
  if (check.outcome === "sandbox_error") return "sandbox_error";
  return check.passed ? "passed" : "failed";
}

function testCounts(check: KindCheck): ScoreRecord["tests"] {
  const total = check.details?.tests_total;
  const passed = check.details?.tests_passed;
  if (typeof total !== "number" || typeof passed !== "number") return NO_TESTS;
  return { total, passed, failed: total - passed, error: 0, other: 0 };
}

/** A record for a non-unit_test answer. */
export function kindRecord(task: Task, check: KindCheck, reward: number, settings: ScoreSettings): KindScoreRecord {
  const status = statusOf(check);
  const detail = check.details?.detail;
  const duration = check.details?.duration_s;
  const rec: KindScoreRecord = {
    task_id: task.id,
    status,
    tests: testCounts(check),
    assertions: 0,
    static_assertions: null,
    valid: check.passed,
    reward: status === "sandbox_error" ? null : reward,
    reward_preset: settings.reward,
    extraction: check.outcome === "no_code" ? "none" : "fenced",
    detail: typeof detail === "string" ? detail : "",
    duration_s: typeof duration === "number" ? duration : 0,
    kind: kindName(task),
    passed: check.passed,
    score: check.score,
    outcome: check.outcome,
  };
  if (check.compiled !== undefined) rec.compiled = check.compiled;
  if (check.hallucination !== undefined) rec.hallucination = check.hallucination;
  if (check.style !== undefined) rec.style = check.style;
  return rec;
}

/** The same contract as scoreCompletions, for completions of any kind. */
export async function scoreByKind(
  items: Completion[],
  executor: Executor,
  settings: ScoreSettings,
  onRecord?: (index: number, rec: ScoreRecord) => void | Promise<void>,
): Promise<KindScoreRecord[]> {
  const tests: number[] = [];
  const others: number[] = [];
  items.forEach((item, i) => (kindName(item.task) === "unit_test" ? tests : others).push(i));
  const out: KindScoreRecord[] = new Array(items.length);
  const unitTests = scoreCompletions(
    tests.map((i) => items[i] as Completion),
    executor,
    settings,
    async (j, rec) => {
      const i = tests[j] as number;
      const { task, completion } = items[i] as Completion;
      const shared = await answerChecks(unitTest.extract(completion, task), "code");
      const full: KindScoreRecord = { ...rec, kind: "unit_test", passed: rec.valid, score: rec.reward ?? 0, outcome: rec.status, compiled: rec.static_assertions !== null, ...shared };
      out[i] = full;
      await onRecord?.(i, full);
    },
  );
  const ctx = { executor, ...(settings.timeoutS === undefined ? {} : { timeoutS: settings.timeoutS }) };
  const rest = others.map(async (i) => {
    const { task, completion } = items[i] as Completion;
    const kind = kindOf(task);
    const answer = kind.extract(completion, task);
    const check = withAnswerChecks(await kind.check(task, answer, ctx), await answerChecks(answer, (kind.answerFormat ?? "python") === "python" ? "code" : "text"));
    const rec = kindRecord(task, check, kind.reward(check), settings);
    out[i] = rec;
    await onRecord?.(i, rec);
  });
  await Promise.all([unitTests, ...rest]);
  return out;
}
