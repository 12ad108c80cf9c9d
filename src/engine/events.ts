/**
 * The events an engine job writes on stdout, one JSON object per line (docs/engine-protocol.md).
 * Every line is parsed and validated; a line that is not a valid event is a protocol error
 * naming the line, never skipped.
 */
import { z } from "zod";
import { fieldPath } from "../config/load.js";

const progressEvent = z.object({
  event: z.literal("progress"),
  step: z.number().int().nonnegative().describe("Units done so far"),
  total: z.number().int().nonnegative().nullable().describe("Units in all, when known"),
  unit: z.string().describe("What a unit is: step, prompt, ..."),
});

const metricsEvent = z
  .object({
    event: z.literal("metrics"),
    step: z.number().int().nonnegative().describe("Training step the values belong to"),
  })
  .catchall(z.number().nullable().describe("A named value: loss, learning_rate, tokens_per_s, ...; null when not finite"));

const logEvent = z.object({
  event: z.literal("log"),
  level: z.enum(["debug", "info", "warning", "error"]),
  message: z.string(),
});

const artifactEvent = z.object({
  event: z.literal("artifact"),
  kind: z.string().describe("model, adapter, samples, ..."),
  path: z.string().describe("Absolute path of the artifact"),
});

const errorEvent = z.object({
  event: z.literal("error"),
  message: z.string(),
  type: z.string().describe("spec, data, interrupted, or the exception's class name"),
});

const interruptedEvent = z.object({
  event: z.literal("interrupted"),
  checkpoint: z.string().nullable().describe("What a re-run resumes from"),
});

export const engineEventSchema = z.discriminatedUnion("event", [progressEvent, metricsEvent, logEvent, artifactEvent, errorEvent, interruptedEvent]);

export type EngineEvent = z.output<typeof engineEventSchema>;
export type ProgressEvent = z.output<typeof progressEvent>;
export type MetricsEvent = z.output<typeof metricsEvent>;
export type LogEvent = z.output<typeof logEvent>;
export type ArtifactEvent = z.output<typeof artifactEvent>;
export type ErrorEvent = z.output<typeof errorEvent>;
export type InterruptedEvent = z.output<typeof interruptedEvent>;

/** Parses one stdout line into an event; throws an Error saying what is wrong with it. */
export function parseEventLine(line: string): EngineEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new Error(`not JSON (${(error as Error).message})`);
  }
  const result = engineEventSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new Error(`not a valid event: ${fieldPath(issue?.path ?? []) || "<root>"}: ${issue?.message ?? "invalid"}`);
}

/** Splits a stream of chunks into complete lines (the last partial line waits for more). */
export class LineSplitter {
  private pending = "";

  push(chunk: string): string[] {
    const parts = (this.pending + chunk).split("\n");
    this.pending = parts.pop() ?? "";
    return parts;
  }

  /** The unterminated rest, at the end of the stream. */
  flush(): string[] {
    const rest = this.pending;
    this.pending = "";
    return rest === "" ? [] : [rest];
  }
}
