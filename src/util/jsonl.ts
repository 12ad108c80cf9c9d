/** The one JSONL reader and writer: every line is one JSON value; errors name the file and line. */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { DataError } from "../errors.js";

function parseLine(file: string, lineNo: number, line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new DataError(file, `line ${lineNo}`, `not valid JSON (${(error as Error).message})`, {
      hint: "each line must be one complete JSON object",
      cause: error,
    });
  }
}

/** Streams the values of a .jsonl or .jsonl.gz file, with their 1-based line numbers. */
export async function* readJsonl(file: string): AsyncGenerator<{ line: number; value: unknown }> {
  if (!existsSync(file)) throw new DataError(file, "", "file not found");
  const raw = createReadStream(file);
  const source = file.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo += 1;
      if (line.trim() === "") continue;
      yield { line: lineNo, value: parseLine(file, lineNo, line) };
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(file, `after line ${lineNo}`, `cannot be read: ${(error as Error).message}`, {
      hint: file.endsWith(".gz") ? "the gzip file looks truncated or corrupt: download it again" : undefined,
      cause: error,
    });
  }
}

/** Reads a whole JSONL file into memory. */
export async function readJsonlAll(file: string): Promise<{ line: number; value: unknown }[]> {
  const out: { line: number; value: unknown }[] = [];
  for await (const row of readJsonl(file)) out.push(row);
  return out;
}

/** Reads a small uncompressed JSONL file synchronously. */
export function readJsonlSync(file: string): unknown[] {
  if (!existsSync(file)) throw new DataError(file, "", "file not found");
  const out: unknown[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() !== "") out.push(parseLine(file, i + 1, line));
    });
  return out;
}

/** Writes values as JSONL atomically (temp file, then rename), so a crash never leaves half a file. */
export function writeJsonl(file: string, values: Iterable<unknown>): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const parts: string[] = [];
  for (const value of values) parts.push(JSON.stringify(value));
  writeFileSync(tmp, parts.length === 0 ? "" : `${parts.join("\n")}\n`);
  renameSync(tmp, file);
}

/** An append-only JSONL writer for results produced one at a time (resumable outputs). */
export class JsonlAppender {
  private readonly stream;
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.stream = createWriteStream(file, { flags: "a" });
  }
  write(value: unknown): void {
    this.stream.write(`${JSON.stringify(value)}\n`);
  }
  close(): Promise<void> {
    return new Promise((resolve, reject) => this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}

/** Writes one JSON document atomically, pretty-printed. */
export function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Reads one JSON document, naming the file on error. */
export function readJson(file: string): unknown {
  if (!existsSync(file)) throw new DataError(file, "", "file not found");
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new DataError(file, "", `not valid JSON (${(error as Error).message})`, { cause: error });
  }
}
