/**
 * The training stages' curves for the report, read from each stage's metrics.jsonl: the loss
 * of sft and dpo, the reward mean and valid rate of ppo and grpo's rollouts.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { baseStage, STAGES } from "../config/run-config.js";
import { readStageStatus } from "../pipeline/stage-status.js";
import { readJsonlAll } from "../util/jsonl.js";
import { mean, meanOrNull } from "../util/stats.js";
import type { Table } from "./tables.js";

export interface Curve {
  stage: string;
  metric: string;
  /** (step, value), in step order. */
  points: [number, number][];
  /** Mean tokens/s over the stage's metrics events, when the job reported it. */
  tokens_per_s: number | null;
}

/** What each training stage's curves show (its reward variants, e.g. grpo_strength, show the same). */
const CURVE_METRICS: Record<string, string[]> = {
  sft: ["loss"],
  dpo: ["loss"],
  ppo: ["reward_mean", "valid_rate"],
  grpo: ["reward_mean", "valid_rate"],
};

/** Curriculum stages (sft.stages) train in sft/<name>/: each is a row of its own, with its dev loss when it had one. */
function curriculumStages(runDir: string): [string, string[]][] {
  const dir = join(runDir, "sft");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "metrics.jsonl")))
    .map((e): [string, string[]] => [`sft/${e.name}`, ["loss", "eval_loss"]])
    .sort((a, b) => startedAt(join(runDir, a[0])).localeCompare(startedAt(join(runDir, b[0]))));
}

/** When a stage started (its status.json), so curriculum rows keep the order they trained in. */
function startedAt(stageDir: string): string {
  return readStageStatus(stageDir)?.started_at ?? "";
}

/** The curves of the training stages that left a metrics.jsonl in the run directory. */
export async function readTrainingCurves(runDir: string): Promise<Curve[]> {
  const curves: Curve[] = [];
  const trainingStages = STAGES.flatMap((stage): [string, string[]][] => {
    const metrics = CURVE_METRICS[baseStage(stage)];
    return metrics === undefined ? [] : [[stage, metrics]];
  });
  for (const [stage, metrics] of [...trainingStages, ...curriculumStages(runDir)]) {
    const file = join(runDir, stage, "metrics.jsonl");
    if (!existsSync(file)) continue;
    const events = (await readJsonlAll(file)).map((r) => r.value as Record<string, unknown>).filter((e) => typeof e.step === "number");
    const rates = events.map((e) => e.tokens_per_s).filter((v): v is number => typeof v === "number");
    for (const metric of metrics) {
      const points = events.filter((e) => typeof e[metric] === "number").map((e): [number, number] => [e.step as number, e[metric] as number]);
      if (points.length > 0) curves.push({ stage, metric, points, tokens_per_s: meanOrNull(rates) });
    }
  }
  return curves;
}

/** Mean of the first and of the last tenth of a curve's points (at least one point each). */
export function curveEnds(points: readonly [number, number][]): { first: number; last: number } {
  const window = Math.max(1, Math.floor(points.length / 10));
  return { first: mean(points.slice(0, window).map((p) => p[1])), last: mean(points.slice(-window).map((p) => p[1])) };
}

/** A moving average over about a twentieth of the points, so that noisy RL curves show their trend. */
export function smoothed(points: readonly [number, number][]): { points: [number, number][]; window: number } {
  const window = Math.max(1, Math.round(points.length / 20));
  const out = points.map((p, i): [number, number] => {
    const slice = points.slice(Math.max(0, i - window + 1), i + 1);
    return [p[0], mean(slice.map((q) => q[1]))];
  });
  return { points: out, window };
}

export function trainingTable(curves: readonly Curve[]): Table {
  const value = (metric: string, v: number): string => (metric === "valid_rate" ? `${(100 * v).toFixed(1)}%` : v.toFixed(3));
  return {
    header: ["stage", "metric", "steps", "first tenth", "last tenth", "tokens/s"],
    rows: curves.map((c) => {
      const ends = curveEnds(c.points);
      return [c.stage, c.metric, String(c.points.at(-1)?.[0] ?? 0), value(c.metric, ends.first), value(c.metric, ends.last), c.tokens_per_s === null ? "" : c.tokens_per_s.toFixed(0)];
    }),
  };
}
