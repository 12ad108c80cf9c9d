/**
 * llama.cpp in-process, through node-llama-cpp's prebuilt CPU binaries: loads a GGUF and
 * decodes greedily from given token ids. Kept small and free of testtune's pipeline so that an
 * evaluation backend can reuse it.
 *
 * Threads are set from the machine's cores, one left free: node-llama-cpp's default thread
 * count is catastrophically slow on a 2-core machine, and llama.cpp's threads wait for each
 * other at every step, so one that loses its core to another process stalls them all (on
 * this project's loaded 2-core machine, 1 thread checked a tiny model in 2.9 s, 2 threads
 * in 24.7 s: docs/models.md). node-llama-cpp is imported lazily:
 * it costs a noticeable start-up that commands without a GGUF should not pay.
 */
import { availableParallelism } from "node:os";
import { EnvError } from "../errors.js";

export interface GgufModel {
  /** The file loaded. */
  path: string;
  /** Threads used for evaluation. */
  threads: number;
  /** The beginning-of-sequence token, when the vocabulary has one. */
  bos: number | undefined;
  /** Whether llama.cpp ends generation at this token (its vocabulary's end-of-generation set). */
  isEndOfGeneration(token: number): boolean;
  /** Token ids of `text` as llama.cpp tokenizes it (special tokens parsed, no BOS added). */
  tokenize(text: string): number[];
  /**
   * Greedy tokens after `promptIds`, at most `maxNewTokens`, stopping after any of `stopIds`.
   * llama.cpp ends generation at its own end-of-generation tokens without yielding them: such
   * an end is marked by END_OF_GENERATION as the last element.
   */
  greedy(promptIds: number[], maxNewTokens: number, stopIds: readonly number[]): Promise<number[]>;
  close(): Promise<void>;
}

/** Marks where llama.cpp stopped at an end-of-generation token of its vocabulary. */
export const END_OF_GENERATION = -1;

export interface OpenGgufOptions {
  /** Longest prompt plus completion, in tokens. */
  contextSize: number;
  /** Evaluation threads; default: the machine's cores minus one (at least 1). */
  threads?: number;
}

/** node-llama-cpp, imported on first use; a missing install is an EnvError that says how to fix it. */
export async function loadBinding(): Promise<typeof import("node-llama-cpp")> {
  try {
    return await import("node-llama-cpp");
  } catch (error) {
    throw new EnvError(`node-llama-cpp cannot be loaded: ${(error as Error).message}`, {
      hint: "run 'npm install' in testtune's directory (node-llama-cpp ships prebuilt llama.cpp binaries for Linux, macOS and Windows)",
      cause: error,
    });
  }
}

/** llama.cpp threads by default: the machine's cores minus one, at least one (see the module comment). */
export function defaultLlamaThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** Loads a GGUF file for greedy decoding on the CPU. */
export async function openGguf(path: string, options: OpenGgufOptions): Promise<GgufModel> {
  const { getLlama, LlamaLogLevel } = await loadBinding();
  const threads = options.threads ?? defaultLlamaThreads();
  // build "never": a missing prebuilt binary is an error here, not a silent compile from source.
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, maxThreads: threads });
  const model = await llama.loadModel({ modelPath: path });
  const context = await model.createContext({ contextSize: options.contextSize, threads, sequences: 1 });
  const sequence = context.getSequence();
  return {
    path,
    threads,
    bos: model.tokens.bos ?? undefined,
    isEndOfGeneration: (token) => model.isEogToken(token as Parameters<typeof model.isEogToken>[0]),
    tokenize: (text) => [...model.tokenize(text, true)] as number[],
    async greedy(promptIds, maxNewTokens, stopIds) {
      await sequence.clearHistory();
      const out: number[] = [];
      // temperature 0 is llama.cpp's greedy sampler; no repeat penalty is applied unless asked for.
      for await (const token of sequence.evaluate(promptIds as Parameters<typeof sequence.evaluate>[0], { temperature: 0 })) {
        out.push(token as number);
        if (out.length >= maxNewTokens || stopIds.includes(token as number)) return out;
      }
      out.push(END_OF_GENERATION);
      return out;
    },
    async close() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
