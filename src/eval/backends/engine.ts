/**
 * The engine's `generate` job (a Hugging Face model, with an optional LoRA adapter) as a
 * backend: batched across prompts, deterministic for a seed (each sample's generator is seeded
 * from the seed, its task id and its index). The job writes a prompt's samples all at once,
 * after its progress event; the backend reads the new lines at each progress event, so samples
 * stream out prompt by prompt while the job runs.
 *
 * The job's files are scratch (`<dir>/engine-*.jsonl` and the spec, removed on close): the caller's
 * samples.jsonl is what counts. A task with any sample missing is sampled again in full, and
 * only the missing samples are passed on (the per-sample seeds make them the same samples).
 * Latency here is the time from the start of sampling (the job's first progress event, after
 * the model is loaded) to the moment the sample's prompt was written: batched decoding has no
 * per-request latency.
 */
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { runEngineJob } from "../../engine/job.js";
import { EngineInterruptedError } from "../../engine/job-errors.js";
import { writeJsonl } from "../../util/jsonl.js";
import { SampleQueue } from "./queue.js";
import type { GeneratedSample, GenerationBackend, SampleRequest, SamplingParams } from "./types.js";

export interface EngineBackendOptions {
  /** A Hugging Face model directory. */
  model: string;
  adapter?: string;
  /** Where the job's prompts, spec and scratch output go. */
  workDir: string;
  /** Sequences per forward pass (default 128, the generate job's). */
  batchSize?: number;
  quiet?: boolean;
}

interface EngineRow {
  task_id: string;
  sample_index: number;
  completion: string;
  finish_reason: "eos" | "length";
  num_tokens: number;
}

/** Reads the complete lines added to a file since `offset`; returns them and the new offset. */
function readNewLines(file: string, offset: number): { lines: string[]; offset: number } {
  if (!existsSync(file)) return { lines: [], offset };
  const size = statSync(file).size;
  if (size <= offset) return { lines: [], offset };
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  const end = buffer.lastIndexOf(0x0a);
  if (end === -1) return { lines: [], offset };
  return { lines: buffer.subarray(0, end).toString("utf8").split("\n").filter((l) => l.trim() !== ""), offset: offset + end + 1 };
}

export class EngineBackend implements GenerationBackend {
  readonly kind = "engine";
  private readonly batchSize: number;

  constructor(private readonly options: EngineBackendOptions) {
    this.batchSize = options.batchSize ?? 128;
  }

  settings(): Record<string, unknown> {
    return { model: this.options.model, adapter: this.options.adapter ?? null, batch_size: this.batchSize };
  }

  generate(requests: readonly SampleRequest[], params: SamplingParams): AsyncIterable<GeneratedSample> {
    const queue = new SampleQueue<GeneratedSample>();
    const wanted = new Set(requests.map((r) => `${r.task_id}\0${r.sample_index}`));
    const prompts = new Map<string, string>();
    for (const r of requests) prompts.set(r.task_id, r.prompt);
    const numSamples = Math.max(0, ...requests.map((r) => r.sample_index + 1));
    const promptsFile = join(this.options.workDir, "engine-prompts.jsonl");
    const output = join(this.options.workDir, "engine-output.jsonl");
    rmSync(output, { force: true });
    writeJsonl(promptsFile, [...prompts].map(([task_id, prompt]) => ({ task_id, prompt })));
    let offset = 0;
    let samplingStarted: number | undefined;
    const drain = (): void => {
      const read = readNewLines(output, offset);
      offset = read.offset;
      const latency = performance.now() - (samplingStarted ?? performance.now());
      for (const line of read.lines) {
        const row = JSON.parse(line) as EngineRow;
        if (!wanted.has(`${row.task_id}\0${row.sample_index}`)) continue;
        queue.push({ ...row, latency_ms: latency });
      }
    };
    if (requests.length === 0) {
      queue.end();
      return queue;
    }
    runEngineJob(
      "generate",
      {
        model: this.options.model,
        ...(this.options.adapter === undefined ? {} : { adapter: this.options.adapter }),
        input: promptsFile,
        output,
        num_samples: numSamples,
        temperature: params.temperature,
        top_p: params.top_p,
        max_new_tokens: params.max_new_tokens,
        batch_size: this.batchSize,
        seed: params.seed,
      },
      {
        quiet: this.options.quiet,
        label: "generate",
        onEvent: (event) => {
          if (event.event !== "progress") return;
          samplingStarted ??= performance.now();
          drain();
        },
      },
    ).then(
      () => {
        drain();
        queue.end();
      },
      (error: unknown) => {
        drain();
        // Ctrl-C: the job finished its batch and stopped; what it wrote is passed on, the rest is for the next run.
        if (error instanceof EngineInterruptedError) queue.end();
        else queue.fail(error);
      },
    );
    return queue;
  }

  async close(): Promise<void> {
    for (const file of ["engine-prompts.jsonl", "engine-output.jsonl", "engine-output.jsonl.spec.json"]) rmSync(join(this.options.workDir, file), { force: true });
  }
}
