/**
 * A GGUF file run by llama.cpp in-process (node-llama-cpp's prebuilt CPU binaries) as a
 * backend. One context holds `sequences` independent sequences; each takes the next request
 * when it is done, and llama.cpp evaluates the sequences' tokens together in one batch per step,
 * so several samples decode for the price of little more than one on a CPU that is waiting on
 * memory. Threads default to the machine's cores minus one (src/model/llama-cpp.ts says why).
 *
 * Sampling is llama.cpp's (temperature, top-p, the sample's own seed); temperature 0 is greedy.
 * The prompt is tokenized by llama.cpp with special tokens parsed, with the vocabulary's bos in
 * front when the GGUF says to add one. The model's chat template, when the GGUF carries one,
 * is offered to the caller (`chatTemplate`) so prompts take the form the model was tuned on.
 */
import { defaultLlamaThreads, loadBinding } from "../../model/llama-cpp.js";
import type { ChatTemplate } from "../../prompts/chat-template.js";
import { SampleQueue, forEachLimited } from "./queue.js";
import { sampleSeed } from "./seeds.js";
import type { GeneratedSample, GenerationBackend, SampleRequest, SamplingParams } from "./types.js";

export interface GgufOptions {
  path: string;
  /** llama.cpp threads (default: cores minus one). */
  threads?: number;
  /** Sequences decoded together (default 4). */
  sequences?: number;
  /** Tokens per sequence (prompt plus completion); default: sized at the first generate call for its longest prompt. */
  contextSize?: number;
}

type Binding = Awaited<ReturnType<typeof loadBinding>>;
type Llama = Awaited<ReturnType<Binding["getLlama"]>>;
type Model = Awaited<ReturnType<Llama["loadModel"]>>;
type Context = Awaited<ReturnType<Model["createContext"]>>;
type Token = Parameters<Model["detokenize"]>[0][number];
type Resolved = Required<Omit<GgufOptions, "contextSize">> & Pick<GgufOptions, "contextSize">;
type Sequence = ReturnType<Context["getSequence"]>;

export class GgufBackend implements GenerationBackend {
  readonly kind = "gguf";
  /** Made at the first generate call, sized for its longest prompt plus max_new_tokens (or as asked). */
  private context: Context | undefined;
  /** Tokens each sequence can hold (prompt plus completion). */
  private sequenceSize: number | undefined;
  /** Sequences not in use, and the requests waiting for one (generate may be called concurrently). */
  private readonly free: Sequence[] = [];
  private readonly waiting: ((sequence: Sequence) => void)[] = [];

  private constructor(
    private readonly options: Resolved,
    private readonly llama: Llama,
    private readonly model: Model,
  ) {}

  static async open(options: GgufOptions): Promise<GgufBackend> {
    const { getLlama, LlamaLogLevel } = await loadBinding();
    const resolved = { threads: options.threads ?? defaultLlamaThreads(), sequences: options.sequences ?? 4, ...options };
    // build "never": a missing prebuilt binary is an error here, not a silent compile from source.
    const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, maxThreads: resolved.threads });
    const model = await llama.loadModel({ modelPath: resolved.path });
    return new GgufBackend(resolved, llama, model);
  }

  settings(): Record<string, unknown> {
    return { path: this.options.path, threads: this.options.threads, sequences: this.options.sequences, context_size: this.sequenceSize ?? this.options.contextSize ?? null };
  }

  /** The chat template the GGUF carries (tokenizer.chat_template), or undefined for a base model. */
  chatTemplate(): ChatTemplate | undefined {
    const template = this.model.fileInfo.metadata.tokenizer?.chat_template;
    if (typeof template !== "string") return undefined;
    const { bosString, eosString, shouldPrependBosToken } = this.model.tokens;
    return { template, bosToken: bosString ?? undefined, eosToken: eosString ?? undefined, addsBos: shouldPrependBosToken, file: this.options.path };
  }

  /** The prompt's tokens; a prompt too long for the context keeps its last tokens, as the engine's generate job does. */
  private promptTokens(prompt: string, maxNewTokens: number): Token[] {
    const ids = this.model.tokenize(prompt, true);
    const bos = this.model.tokens.bos;
    const withBos = this.model.tokens.shouldPrependBosToken && bos !== null && ids[0] !== bos ? [bos, ...ids] : ids;
    const limit = Math.max(1, (this.sequenceSize ?? this.model.trainContextSize) - maxNewTokens);
    return withBos.length > limit ? withBos.slice(-limit) : withBos;
  }

  private async ensureContext(longestPrompt: number, maxNewTokens: number): Promise<void> {
    if (this.context !== undefined) return;
    const sequenceSize = this.options.contextSize ?? Math.min(this.model.trainContextSize, longestPrompt + maxNewTokens);
    // llama.cpp splits a context's cache between its sequences (n_ctx / n_seq each): a context
    // of one sequence's size made 4 sequences overflow and lose their prompts (SmolLM2 SFT on 16
    // HumanEval tasks: 18.8% pass@1 with 4 sequences against 50.0% with 1).
    this.context = await this.model.createContext({ contextSize: sequenceSize * this.options.sequences, threads: this.options.threads, sequences: this.options.sequences });
    this.sequenceSize = sequenceSize;
    for (let i = 0; i < this.options.sequences; i++) this.free.push(this.context.getSequence());
  }

  private acquire(): Promise<Sequence> {
    const sequence = this.free.pop();
    return sequence !== undefined ? Promise.resolve(sequence) : new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(sequence: Sequence): void {
    const next = this.waiting.shift();
    if (next === undefined) this.free.push(sequence);
    else next(sequence);
  }

  generate(requests: readonly SampleRequest[], params: SamplingParams, signal?: AbortSignal): AsyncIterable<GeneratedSample> {
    const queue = new SampleQueue<GeneratedSample>();
    this.run(requests, params, queue, signal).then(
      () => queue.end(),
      (error: unknown) => queue.fail(error),
    );
    return queue;
  }

  private async run(requests: readonly SampleRequest[], params: SamplingParams, queue: SampleQueue<GeneratedSample>, signal?: AbortSignal): Promise<void> {
    const texts = [...new Set(requests.map((r) => r.prompt))];
    await this.ensureContext(Math.max(0, ...texts.map((t) => this.promptTokens(t, params.max_new_tokens).length)), params.max_new_tokens);
    const prompts = new Map(texts.map((t) => [t, this.promptTokens(t, params.max_new_tokens)]));
    await forEachLimited(
      requests,
      this.options.sequences,
      async (request) => {
        const sequence = await this.acquire();
        try {
          queue.push(await this.sample(sequence, request, prompts.get(request.prompt) ?? [], params));
        } finally {
          this.release(sequence);
        }
      },
      signal,
    );
  }

  private async sample(sequence: Sequence, request: SampleRequest, prompt: Token[], params: SamplingParams): Promise<GeneratedSample> {
    const started = performance.now();
    await sequence.clearHistory();
    const tokens: Token[] = [];
    let finish: GeneratedSample["finish_reason"] = "eos";
    const options = { temperature: params.temperature, topP: params.top_p, seed: sampleSeed(params.seed, request.task_id, request.sample_index) };
    // llama.cpp ends at its end-of-generation tokens without yielding them.
    for await (const token of sequence.evaluate(prompt, options)) {
      tokens.push(token);
      if (tokens.length >= params.max_new_tokens) {
        finish = "length";
        break;
      }
    }
    return {
      task_id: request.task_id,
      sample_index: request.sample_index,
      completion: this.model.detokenize(tokens),
      finish_reason: finish,
      num_tokens: tokens.length,
      latency_ms: performance.now() - started,
    };
  }

  async close(): Promise<void> {
    await this.context?.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}
