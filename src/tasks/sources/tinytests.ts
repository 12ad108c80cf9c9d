/** TinyTests as a source: `limit` tasks (default 1000), `evalFraction` of them in the held-out eval structures. */
import { generateTinyTests } from "../tinytests/index.js";
import type { LoadResult, SourceAdapter } from "./types.js";

export const TINYTESTS_DEFAULT_COUNT = 1000;

export const tinytestsSource: SourceAdapter = {
  name: "tinytests",
  summary: "TinyTests: generated Python functions in 5 difficulty tiers with executed reference tests (no input needed)",
  async load(options): Promise<LoadResult> {
    const total = options.limit ?? TINYTESTS_DEFAULT_COUNT;
    const evalCount = Math.round(total * options.evalFraction);
    const tasks = await generateTinyTests({ seed: options.seed, trainCount: total - evalCount, evalCount, tiers: options.tiers });
    return { tasks, drops: [], rows: tasks.length };
  },
};
