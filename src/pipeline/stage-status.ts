/** Each stage's status.json: what lets a re-run skip finished work and report what happened. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readJson, writeJson } from "../util/jsonl.js";

export interface StageStatus {
  stage: string;
  status: "running" | "complete" | "failed" | "interrupted";
  started_at: string;
  finished_at?: string;
  duration_s?: number;
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
