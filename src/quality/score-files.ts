/**
 * `testtune score` as a library call: tasks and samples files in, one score line per sample
 * appended to the output as soon as it is scored. Re-running the same call resumes: samples
 * already in the output are skipped (no duplicate lines), a line cut short by an interruption
 * is dropped and scored again.
 */
import { scoreByKind } from "../kinds/score.js";
import { JsonlAppender, readJsonlAll } from "../util/jsonl.js";
import { Progress } from "../util/progress.js";
import { loadDoneKeys, loadSamples, loadTaskMap } from "./inputs.js";
import { scoreSamples, type Executor, type SampleScore, type ScoreSettings, type ScoreSummary } from "./score.js";
import { summarizeScores, type ScoreSummaryStats } from "./summary.js";

export interface ScoreFilesOptions extends ScoreSettings {
  tasksFile: string;
  samplesFile: string;
  outFile: string;
  executor: Executor;
  /** Print no progress (tests, --quiet). */
  quiet?: boolean;
  /** Abort (Ctrl-C): stop at once; what was written stays, the rest is scored on the next run. */
  signal?: AbortSignal;
  batchSize?: number;
}

export interface ScoreFilesResult extends ScoreSummary {
  interrupted: boolean;
  droppedPartialLine: boolean;
  /** Over every line of the output file, including lines from earlier runs. */
  stats: ScoreSummaryStats;
}

export async function scoreFiles(options: ScoreFilesOptions): Promise<ScoreFilesResult> {
  const tasks = await loadTaskMap(options.tasksFile);
  const samples = await loadSamples(options.samplesFile, tasks, options.tasksFile);
  const { keys, droppedPartialLine } = loadDoneKeys(options.outFile, options.reward);
  const progress = new Progress({ label: "score", unit: "sample", silent: options.quiet === true });
  if (droppedPartialLine) progress.log(`dropped a partly written last line of ${options.outFile}; that sample is scored again`);
  const out = new JsonlAppender(options.outFile);
  const run = scoreSamples({
    ...options,
    tasks,
    samples,
    done: keys,
    scoreBatch: scoreByKind, // each sample by its task's kind (unit_test: the test-file scorer)
    onScore: (score) => out.write(score),
    onProgress: (done, total) => progress.update(done, total),
  });
  // An abort returns at once: runs still in the sandbox are abandoned (the caller closes the pool).
  const aborted = new Promise<"aborted">((resolve) => {
    if (options.signal?.aborted === true) resolve("aborted");
    options.signal?.addEventListener("abort", () => resolve("aborted"), { once: true });
  });
  run.catch(() => undefined); // an abandoned run may fail once its pool is closed
  try {
    const outcome = await Promise.race([run, aborted]);
    await out.close();
    const stats = summarizeScores((await readJsonlAll(options.outFile)).map((row) => row.value as SampleScore));
    if (outcome === "aborted") {
      progress.finish("interrupted");
      return { scored: stats.samples - keys.size, skipped: keys.size, sandboxErrors: [], interrupted: true, droppedPartialLine, stats };
    }
    progress.finish();
    return { ...outcome, interrupted: false, droppedPartialLine, stats };
  } catch (error) {
    await out.close();
    throw error;
  }
}
