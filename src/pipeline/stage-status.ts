/** Each stage's status.json: what lets a re-run skip finished work and report what happened. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readJson, writeJson } from "../util/jsonl.js";

export interface StageStatus {
  stage: string;
  status: "running" | "complete" | "failed" | "interrupted";
  started_at: string;
  finished_at?: string;
  /** Seconds spent on the stage so far, over all its attempts (a resumed stage adds its earlier ones). */
  duration_s?: number;
  /** How many times the stage was started (1 unless it was interrupted, failed or killed and resumed). */
  attempts?: number;
  /** Paths (relative to the run directory) and figures the stage produced. */
  outputs?: Record<string, unknown>;
  error?: string;
}

export function statusFile(stageDir: string): string {
  return join(stageDir, "status.json");
}

export function readStageStatus(stageDir: string): StageStatus | undefined {
  const file = statusFile(stageDir);
  return existsSync(file) ? (readJson(file) as StageStatus) : undefined;
}

export function writeStageStatus(stageDir: string, status: StageStatus): void {
  writeJson(statusFile(stageDir), status);
}

/**
 * What a stage's earlier attempts cost, from its last status: its recorded total, or for a
 * status written before totals were kept (or by a process killed mid-stage) the span it records.
 */
export function timeSpent(previous: StageStatus): { attempts: number; seconds: number } {
  const attempts = previous.attempts ?? 1;
  if (previous.duration_s !== undefined) return { attempts, seconds: previous.duration_s };
  const span = previous.finished_at === undefined ? 0 : (Date.parse(previous.finished_at) - Date.parse(previous.started_at)) / 1000;
  return { attempts, seconds: Number.isFinite(span) && span > 0 ? span : 0 };
}
