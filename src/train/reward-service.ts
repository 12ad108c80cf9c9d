/**
 * The reward service for one online-RL job (ppo, grpo): started in-process on a free port of
 * 127.0.0.1, given to the job as its `reward_url`, closed when the job ends however it ends.
 */
import type { RewardPreset } from "../quality/rewards.js";
import type { Executor } from "../quality/score.js";
import { startRewardService } from "../quality/service.js";
import type { Task } from "../tasks/schema.js";

export interface RewardServiceSettings {
  tasks: ReadonlyMap<string, Task>;
  /** Runs the test files (a SandboxPool); the caller starts and closes it. */
  executor: Executor;
  reward: RewardPreset;
  mutants: boolean;
  coverage: boolean;
  /** With mutants: at most this many per task (all when absent). */
  maxMutants?: number;
  /** Seeds the sample of mutants each scoring request (one training step) draws. */
  mutantSeed?: number;
  /** Sandbox runs in flight at once (the pool's size). */
  concurrency: number;
  /** Wall-clock limit of one test run, seconds (the pool's default when absent). */
  runTimeoutS?: number;
  /** One line per scoring request. */
  log?: (line: string) => void;
}

/** Runs `job` with the URL of a reward service's score endpoint. */
export async function withRewardService<T>(settings: RewardServiceSettings, job: (scoreUrl: string) => Promise<T>): Promise<T> {
  const service = await startRewardService({
    tasks: settings.tasks,
    executor: settings.executor,
    reward: settings.reward,
    mutants: settings.mutants,
    coverage: settings.coverage,
    maxMutants: settings.maxMutants,
    mutantSeed: settings.mutantSeed,
    host: "127.0.0.1",
    port: 0,
    concurrency: settings.concurrency,
    execTimeoutS: settings.runTimeoutS,
    log: settings.log,
  });
  try {
    return await job(`${service.url}/v1/score`);
  } finally {
    await service.close();
  }
}
