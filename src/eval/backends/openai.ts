/**
 * An OpenAI-compatible HTTP server (vLLM, SGLang, llama-server, Ollama, ...) as a backend:
 * `POST {base}/chat/completions` with the task's instruction as the user message (the server
 * applies the model's chat template), or `POST {base}/completions` with the prompt text. One
 * request per sample (n = 1) with the sample's own seed, at most `concurrency` at once.
 *
 * Retried with exponential backoff (base_delay x 2^attempt, or the server's Retry-After): 429,
 * any 5xx, a reset or dropped connection, a request past its timeout. Not retried: a refused
 * connection (nothing listens: the server is down, and the error says so with the URL) and
 * other 4xx answers (the request is wrong; the server's message is shown).
 */
import { NetworkError } from "../../errors.js";
import { SampleQueue, forEachLimited } from "./queue.js";
import { sampleSeed } from "./seeds.js";
import type { GeneratedSample, GenerationBackend, SampleRequest, SamplingParams } from "./types.js";

export type OpenAiApi = "chat" | "completions";

export interface OpenAiOptions {
  /** The base URL, ending in /v1 usually: http://127.0.0.1:8000/v1 */
  baseUrl: string;
  /** The served model's name (the `model` field of each request). */
  model: string;
  api: OpenAiApi;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Attempts per request, the first included (default 5). */
  attempts?: number;
  /** The first retry's delay; each further retry doubles it (default 500 ms). */
  baseDelayMs?: number;
  /** Per-request timeout (default 300 s). */
  timeoutMs?: number;
  /** Bearer token, when the server wants one (default: OPENAI_API_KEY when set). */
  apiKey?: string;
}

interface Answer {
  text: string;
  finish: unknown;
  tokens: number | null;
}

class RetryableError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

const RETRIED_CODES = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "ECONNABORTED", "UND_ERR_CLOSED"]);

function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === "string" ? cause.code : undefined;
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function parseAnswer(api: OpenAiApi, body: unknown, url: string): Answer {
  const choice = (body as { choices?: unknown[] }).choices?.[0] as { text?: unknown; message?: { content?: unknown }; finish_reason?: unknown } | undefined;
  const text = api === "chat" ? choice?.message?.content : choice?.text;
  if (typeof text !== "string") {
    throw new NetworkError(`${url} answered without ${api === "chat" ? "choices[0].message.content" : "choices[0].text"}: ${JSON.stringify(body).slice(0, 300)}`, {
      hint: "check that the URL is an OpenAI-compatible server and that --api matches what it serves (chat or completions)",
    });
  }
  const tokens = (body as { usage?: { completion_tokens?: unknown } }).usage?.completion_tokens;
  return { text, finish: choice?.finish_reason, tokens: typeof tokens === "number" ? tokens : null };
}

export class OpenAiBackend implements GenerationBackend {
  readonly kind = "openai";
  private readonly url: string;
  private readonly concurrency: number;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;
  private readonly apiKey: string | undefined;

  constructor(private readonly options: OpenAiOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, "")}/${options.api === "chat" ? "chat/completions" : "completions"}`;
    this.concurrency = options.concurrency ?? 8;
    this.attempts = options.attempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;
  }

  settings(): Record<string, unknown> {
    return { url: this.url, model: this.options.model, api: this.options.api, concurrency: this.concurrency, attempts: this.attempts, timeout_ms: this.timeoutMs };
  }

  private body(request: SampleRequest, params: SamplingParams): Record<string, unknown> {
    const common = {
      model: this.options.model,
      max_tokens: params.max_new_tokens,
      temperature: params.temperature,
      top_p: params.top_p,
      seed: sampleSeed(params.seed, request.task_id, request.sample_index),
      n: 1,
    };
    if (this.options.api === "completions") return { ...common, prompt: request.prompt };
    const system = request.system === undefined ? [] : [{ role: "system", content: request.system }];
    return { ...common, messages: [...system, { role: "user", content: request.instruction }] };
  }

  /** One attempt: the answer, a RetryableError, or a final NetworkError. */
  private async attempt(body: Record<string, unknown>, signal?: AbortSignal): Promise<Answer> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(this.apiKey === undefined ? {} : { authorization: `Bearer ${this.apiKey}` }) },
        body: JSON.stringify(body),
        signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
      });
    } catch (error) {
      if (signal?.aborted === true) throw error;
      if (timeout.aborted) throw new RetryableError(`no answer within ${this.timeoutMs / 1000} s`);
      const code = errorCode(error);
      if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
        throw new NetworkError(`the server at ${this.options.baseUrl} is down or unreachable (${code} on ${this.url})`, {
          hint: "start the server (vLLM, llama-server, Ollama, ...) or fix the URL in --model URL#served-model",
          cause: error,
        });
      }
      if (code !== undefined && RETRIED_CODES.has(code)) throw new RetryableError(`connection lost (${code})`);
      throw new RetryableError(`request failed: ${(error as Error).message}${code === undefined ? "" : ` (${code})`}`);
    }
    const text = await response.text().catch((error: unknown) => {
      throw new RetryableError(`connection lost while reading the answer (${errorCode(error) ?? (error as Error).message})`);
    });
    if (response.status === 429 || response.status >= 500) throw new RetryableError(`HTTP ${response.status}: ${text.slice(0, 200)}`, retryAfterMs(response.headers.get("retry-after")));
    if (!response.ok) {
      throw new NetworkError(`${this.url} refused the request with HTTP ${response.status}: ${text.slice(0, 300)}`, {
        hint: `check the served model's name after '#' (sent: ${this.options.model}) and --api (${this.options.api})`,
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new NetworkError(`${this.url} answered with something that is not JSON: ${text.slice(0, 200)}`, { hint: "check that the URL is an OpenAI-compatible server's /v1 base" });
    }
    return parseAnswer(this.options.api, parsed, this.url);
  }

  private async request(request: SampleRequest, params: SamplingParams, signal?: AbortSignal): Promise<GeneratedSample> {
    const body = this.body(request, params);
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await this.attempt(body, signal);
        return {
          task_id: request.task_id,
          sample_index: request.sample_index,
          completion: answer.text,
          finish_reason: answer.finish === "length" ? "length" : "eos",
          num_tokens: answer.tokens,
          latency_ms: performance.now() - started,
        };
      } catch (error) {
        if (!(error instanceof RetryableError)) throw error;
        if (attempt >= this.attempts) {
          throw new NetworkError(`${this.url} failed ${attempt} times for ${request.task_id} sample ${request.sample_index}; last: ${error.message}`, {
            hint: "re-run the same command when the server is healthy: finished samples are kept (lower --concurrency if it is overloaded)",
          });
        }
        const delay = error.retryAfterMs ?? this.baseDelayMs * 2 ** (attempt - 1);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  generate(requests: readonly SampleRequest[], params: SamplingParams, signal?: AbortSignal): AsyncIterable<GeneratedSample> {
    const queue = new SampleQueue<GeneratedSample>();
    forEachLimited(requests, this.concurrency, async (request) => queue.push(await this.request(request, params, signal)), signal).then(
      () => queue.end(),
      (error: unknown) => (signal?.aborted === true ? queue.end() : queue.fail(error)),
    );
    return queue;
  }

  async close(): Promise<void> {}
}
