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
}

type Binding = Awaited<ReturnType<typeof loadBinding>>;
type Llama = Awaited<ReturnType<Binding["getLlama"]>>;
type Model = Awaited<ReturnType<Llama["loadModel"]>>;
type Context = Awaited<ReturnType<Model["createContext"]>>;
type Token = Parameters<Model["detokenize"]>[0][number];
type Resolved = Required<GgufOptions>;

export class GgufBackend implements GenerationBackend {
  readonly kind = "gguf";
  /** Made at the first generate call, sized for its longest prompt plus max_new_tokens. */
  private context: Context | undefined;

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
    return { path: this.options.path, threads: this.options.threads, sequences: this.options.sequences, context_size: this.context?.contextSize ?? null };
  }

  /** The chat template the GGUF carries (tokenizer.chat_template), or undefined for a base model. */
  chatTemplate(): ChatTemplate | undefined {
    const template = this.model.fileInfo.metadata.tokenizer?.chat_template;
    if (typeof template !== "string") return undefined;
    const { bosString, eosString, shouldPrependBosToken } = this.model.tokens;
    return { template, bosToken: bosString ?? undefined, eosToken: eosString ?? undefined, addsBos: shouldPrependBosToken, file: this.options.path };
  }

  /** The prompt's tokens; a prompt too long for the model keeps its last tokens, as the engine's generate job does. */
  private promptTokens(prompt: string, maxNewTokens: number): Token[] {
    const ids = this.model.tokenize(prompt, true);
    const bos = this.model.tokens.bos;
    const withBos = this.model.tokens.shouldPrependBosToken && bos !== null && ids[0] !== bos ? [bos, ...ids] : ids;
    const limit = Math.max(1, this.model.trainContextSize - maxNewTokens);
    return withBos.length > limit ? withBos.slice(-limit) : withBos;
  }

  generate(requests: readonly SampleRequest[], params: SamplingParams, signal?: AbortSignal): AsyncIterable<GeneratedSample> {
    const queue = new SampleQueue<GeneratedSample>();
    this.start(requests, params, queue, signal).then(
      () => queue.end(),
      (error: unknown) => queue.fail(error),
    );
    return queue;
  }

  private async start(requests: readonly SampleRequest[], params: SamplingParams, queue: SampleQueue<GeneratedSample>, signal?: AbortSignal): Promise<void> {
    const prompts = new Map(requests.map((r) => [r.task_id, this.promptTokens(r.prompt, params.max_new_tokens)]));
    const longest = Math.max(0, ...[...prompts.values()].map((ids) => ids.length));
    if (this.context !== undefined && this.context.contextSize < longest + params.max_new_tokens) {
      await this.context.dispose();
      this.context = undefined;
    }
    this.context ??= await this.model.createContext({ contextSize: Math.min(this.model.trainContextSize, longest + params.max_new_tokens), threads: this.options.threads, sequences: this.options.sequences });
    const context = this.context;
    const free = Array.from({ length: this.options.sequences }, () => context.getSequence());
    await forEachLimited(
      requests,
      this.options.sequences,
      async (request) => {
        const sequence = free.pop();
        if (sequence === undefined) throw new Error("no free llama.cpp sequence");
        try {
          const started = performance.now();
          await sequence.clearHistory();
          const tokens: Token[] = [];
          let finish: GeneratedSample["finish_reason"] = "eos";
          const options = { temperature: params.temperature, topP: params.top_p, seed: sampleSeed(params.seed, request.task_id, request.sample_index) };
          // llama.cpp ends at its end-of-generation tokens without yielding them.
          for await (const token of sequence.evaluate(prompts.get(request.task_id) ?? [], options)) {
            tokens.push(token);
            if (tokens.length >= params.max_new_tokens) {
              finish = "length";
              break;
            }
          }
          queue.push({
            task_id: request.task_id,
            sample_index: request.sample_index,
            completion: this.model.detokenize(tokens),
            finish_reason: finish,
            num_tokens: tokens.length,
            latency_ms: performance.now() - started,
          });
        } finally {
          free.push(sequence);
        }
      },
      signal,
    );
    for (const sequence of free) sequence.dispose();
  }

  async close(): Promise<void> {
    await this.context?.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}
