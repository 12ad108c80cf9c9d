/**
 * Counting tokens with a model's own tokenizer.json, in TypeScript: @huggingface/tokenizers is
 * Hugging Face's JavaScript implementation of the same tokenizer pipeline (normaliser,
 * pre-tokeniser, BPE/WordPiece/Unigram model) that the Python `tokenizers` library runs; the
 * tests compare its counts with the Python library's on a trained tokenizer.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { ConfigError } from "../errors.js";

export class TokenCounter {
  private constructor(
    private readonly tokenizer: Tokenizer,
    /** The tokenizer.json this counts with. */
    readonly file: string,
  ) {}

  /** Loads tokenizer.json (a file, or a model directory holding one) and its tokenizer_config.json when present. */
  static load(path: string): TokenCounter {
    const file = existsSync(path) && statSync(path).isDirectory() ? join(path, "tokenizer.json") : path;
    if (!existsSync(file)) throw new ConfigError(file, "", "not found", { hint: "pass the model's tokenizer.json (or its directory) with --tokenizer" });
    const read = (f: string): object => {
      try {
        return JSON.parse(readFileSync(f, "utf8")) as object;
      } catch (error) {
        throw new ConfigError(f, "", `not valid JSON (${(error as Error).message})`);
      }
    };
    const configFile = join(dirname(file), "tokenizer_config.json");
    try {
      return new TokenCounter(new Tokenizer(read(file), existsSync(configFile) ? read(configFile) : {}), file);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(file, "", `cannot be used as a tokenizer: ${(error as Error).message}`, { hint: "pass a Hugging Face tokenizer.json" });
    }
  }

  /** Tokens of a text, without special tokens (the chat template writes those into the text itself). */
  count(text: string): number {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids.length;
  }
}
