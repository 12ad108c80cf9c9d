/**
 * A task kind: everything that differs between "write tests for this code", "write this
 * function", "fix this bug", ... lives in one definition of this interface, in
 * src/kinds/<kind>.ts, registered in src/kinds/index.ts. Prompting, SFT data, scoring,
 * rewards and evaluation read a task's kind through the registry and nothing else
 * (docs/kinds.md).
 */
import type { Executor, ScoreSettings } from "../quality/score.js";
import type { KindName, Task } from "../tasks/schema.js";

/** The verdict of one answer under its kind's check. */
export interface KindCheck {
  /** The answer does what the kind asks (executed kinds: every reference test passed). */
  passed: boolean;
  /** In [0, 1]; executed kinds: the reference tests' pass rate. */
  score: number;
  /** One word of the kind's taxonomy, e.g. passed, syntax_error, wrong_output, timeout. */
  outcome: string;
  /** The answer is valid Python (kinds whose answer is code; absent otherwise). */
  compiled?: boolean;
  /** Placeholders found in the answer (TODO, `...` bodies, "your code here"). */
  hallucination?: string[];
  /** Style score in [0, 1], for kinds that measure one. */
  style?: number;
  /** Anything else worth keeping in a score line (test counts, the sandbox's detail). */
  details?: Record<string, unknown>;
}

/** What a check may use. */
export interface KindContext {
  /** The sandbox (a SandboxPool, or a fake in tests). */
  executor: Executor;
  /** Wall-clock limit per sandbox run, seconds (the pool's default when absent). */
  timeoutS?: number;
  /** unit_test: the reward preset and measurements (docs/rewards.md); `staged` without mutants when absent. */
  unitTest?: ScoreSettings;
}

export interface TaskKind {
  name: KindName;
  /** The instruction text before any chat template: a chat model's user message. */
  instruction(task: Task): string;
  /**
   * The prompt for a model without a chat template; when absent, the instruction followed by
   * `### Answer` on its own line (the answer starts right after it).
   */
  plainPrompt?(task: Task): string;
  /** The SFT answer (raw, unfenced); undefined when the task has none to train on. */
  target(task: Task): string | undefined;
  /** How a chat model answers: "python" (one fenced block, the default) or "text" (as is). */
  answerFormat?: "python" | "text";
  /** The answer in a completion; task is given so an extractor may use its module and entry points. */
  extract(completion: string, task?: Task): string;
  /** Checks an extracted answer (running it in the sandbox where the kind can). */
  check(task: Task, answer: string, ctx: KindContext): Promise<KindCheck>;
  /** The training reward of a check, in [0, 1]. */
  reward(check: KindCheck): number;
}
