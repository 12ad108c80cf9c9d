/**
 * One interface for sampling completions, whatever runs the model: the engine's `generate` job
 * (a Hugging Face model, batched), llama.cpp in-process (a GGUF file), or an OpenAI-compatible
 * HTTP server. A backend takes the (task, sample index) pairs still to sample and yields each
 * sample as soon as it is done, with its token count and latency, so the caller can append it
 * to samples.jsonl at once (an interrupted evaluation keeps what it wrote).
 */

/** One completion to produce. */
export interface SampleRequest {
  task_id: string;
  sample_index: number;
  /** The prompt as text (a chat model's prompt already rendered through its template). */
  prompt: string;
  /** The user message, for chat APIs that apply the template themselves. */
  instruction: string;
  /** The system message for chat APIs, when one is used. */
  system?: string;
}

export interface SamplingParams {
  /** 0 is greedy decoding. */
  temperature: number;
  top_p: number;
  max_new_tokens: number;
  /** Each sample's seed derives from it, the task id and the sample index (see `sampleSeed`). */
  seed: number;
}

export interface GeneratedSample {
  task_id: string;
  sample_index: number;
  completion: string;
  /** "eos": the model ended; "length": max_new_tokens reached. */
  finish_reason: "eos" | "length";
  /** Tokens generated; null when an HTTP server does not report usage. */
  num_tokens: number | null;
  /**
   * Milliseconds from the request being started to its completion. For the engine (batched),
   * from the start of sampling to the moment its prompt's samples were written.
   */
  latency_ms: number;
}

export type BackendKind = "engine" | "gguf" | "openai";

export interface GenerationBackend {
  kind: BackendKind;
  /** The settings the backend ran with (threads, sequences, batch size, URL, API), for the record. */
  settings(): Record<string, unknown>;
  generate(requests: readonly SampleRequest[], params: SamplingParams, signal?: AbortSignal): AsyncIterable<GeneratedSample>;
  close(): Promise<void>;
}
