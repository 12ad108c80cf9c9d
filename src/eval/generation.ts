/**
 * Sampling one model through its backend into `<dir>/samples.jsonl`, resumably: a sample is
 * appended the moment it arrives, a re-run skips the (task, sample index) pairs already there,
 * and a line cut short by a crash is dropped and sampled again. Each session (one call) appends
 * its throughput to `<dir>/generation.jsonl`; `generationMetrics` reads both files.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DataError } from "../errors.js";
import { JsonlAppender, readJsonlSync } from "../util/jsonl.js";
import { Progress } from "../util/progress.js";
import { mean, quantile } from "../util/stats.js";
import type { GeneratedSample, GenerationBackend, SampleRequest, SamplingParams } from "./backends/types.js";

/** A line of samples.jsonl: the backend's sample, and which backend made it. */
export interface SampleRow extends GeneratedSample {
  backend: string;
}

/** A line of generation.jsonl: one sampling session. */
export interface GenerationSession {
  backend: string;
  settings: Record<string, unknown>;
  started_at: string;
  samples: number;
  tokens: number;
  /** From the first request's start to the last sample's arrival. */
  wall_s: number;
  interrupted: boolean;
}

export const samplesFile = (dir: string): string => join(dir, "samples.jsonl");
const sessionsFile = (dir: string): string => join(dir, "generation.jsonl");
const key = (taskId: string, index: number): string => `${taskId}\0${index}`;

/** The rows already in samples.jsonl; a last line cut short is removed from the file. */
export function readSampleRows(file: string): SampleRow[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const rows: SampleRow[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      rows.push(JSON.parse(line) as SampleRow);
    } catch (error) {
      // Only the last line can be cut short by an interruption; a bad line before it is damage.
      if (lines.slice(i + 1).some((l) => l.trim() !== "")) throw new DataError(file, `line ${i + 1}`, `not valid JSON (${(error as Error).message})`, { hint: "remove the line (its sample is made again) or start a new --out directory" });
      writeFileSync(file, lines.slice(0, i).map((l) => `${l}\n`).join(""));
    }
  }
  return rows;
}

export interface SampleModelOptions {
  backend: GenerationBackend;
  requests: readonly SampleRequest[];
  params: SamplingParams;
  dir: string;
  label: string;
  quiet?: boolean;
  signal?: AbortSignal;
}

export interface SampleModelResult {
  generated: number;
  skipped: number;
  interrupted: boolean;
}

export async function sampleModel(options: SampleModelOptions): Promise<SampleModelResult> {
  const file = samplesFile(options.dir);
  const done = new Set(readSampleRows(file).map((r) => key(r.task_id, r.sample_index)));
  const todo = options.requests.filter((r) => !done.has(key(r.task_id, r.sample_index)));
  const skipped = options.requests.length - todo.length;
  const progress = new Progress({ label: options.label, unit: "sample", total: options.requests.length, silent: options.quiet === true });
  if (skipped > 0) progress.log(`${options.label}: ${skipped} of ${options.requests.length} samples already in ${file}`);
  if (todo.length === 0) return { generated: 0, skipped, interrupted: false };
  const out = new JsonlAppender(file);
  const started = new Date();
  let generated = 0;
  let tokens = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  try {
    for await (const sample of options.backend.generate(todo, options.params, options.signal)) {
      const now = performance.now();
      out.write({ ...sample, backend: options.backend.kind } satisfies SampleRow);
      generated += 1;
      tokens += sample.num_tokens ?? 0;
      first = Math.min(first, now - sample.latency_ms);
      last = now;
      progress.update(skipped + generated);
    }
  } finally {
    await out.close();
    if (generated > 0) {
      const session: GenerationSession = {
        backend: options.backend.kind,
        settings: options.backend.settings(),
        started_at: started.toISOString(),
        samples: generated,
        tokens,
        wall_s: (last - first) / 1000,
        interrupted: generated < todo.length,
      };
      const sessions = new JsonlAppender(sessionsFile(options.dir));
      sessions.write(session);
      await sessions.close();
    }
  }
  const interrupted = generated < todo.length;
  progress.finish(interrupted ? "interrupted" : undefined);
  return { generated, skipped, interrupted };
}

/** Throughput and latency of a model's sampling (all sessions); fields are null where nothing was measured. */
export interface GenerationMetrics {
  backend: string | null;
  settings: Record<string, unknown> | null;
  samples: number;
  /** Mean completion length in tokens. */
  tokens_per_sample: number | null;
  /** Fraction of samples cut at max_new_tokens. */
  truncated_rate: number;
  latency_ms: { p50: number | null; p95: number | null };
  /** Tokens generated over the sessions' wall time. */
  tokens_per_second: number | null;
  wall_s: number;
}

export function generationMetrics(dir: string): GenerationMetrics {
  const rows = readSampleRows(samplesFile(dir));
  const sessions = existsSync(sessionsFile(dir)) ? (readJsonlSync(sessionsFile(dir)) as GenerationSession[]) : [];
  const counted = rows.filter((r) => typeof r.num_tokens === "number").map((r) => r.num_tokens as number);
  const latencies = rows.filter((r) => typeof r.latency_ms === "number").map((r) => r.latency_ms);
  const wall = sessions.reduce((sum, s) => sum + s.wall_s, 0);
  const sessionTokens = sessions.reduce((sum, s) => sum + s.tokens, 0);
  const latest = sessions.at(-1);
  return {
    backend: latest?.backend ?? null,
    settings: latest?.settings ?? null,
    samples: rows.length,
    tokens_per_sample: counted.length === 0 ? null : mean(counted),
    truncated_rate: mean(rows.map((r) => (r.finish_reason === "length" ? 1 : 0))),
    latency_ms: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95) },
    tokens_per_second: wall > 0 && sessionTokens > 0 ? sessionTokens / wall : null,
    wall_s: wall,
  };
}
