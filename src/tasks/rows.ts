/**
 * Raw rows of a dataset file, whatever its format: JSONL (.jsonl, .jsonl.gz), a JSON array
 * (.json) or Parquet (.parquet). A directory means every such file in it, in name order
 * (Hugging Face splits a dataset into numbered shards).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DataError } from "../errors.js";
import { readJsonl } from "../util/jsonl.js";
import { readParquet } from "./parquet.js";

export interface RawRow {
  file: string;
  /** "line 12" for JSONL, "row 12" for Parquet and JSON arrays. */
  location: string;
  value: unknown;
}

const SUFFIXES = [".jsonl", ".jsonl.gz", ".json", ".parquet"];

export function isDatasetFile(path: string): boolean {
  return SUFFIXES.some((s) => path.endsWith(s));
}

/** The dataset files a path names: the file itself, or the dataset files in a directory. */
export function datasetFiles(path: string): string[] {
  if (!existsSync(path)) throw new DataError(path, "", "not found", { hint: "pass the downloaded file (or a directory of its shards) with --input" });
  if (!statSync(path).isDirectory()) {
    if (!isDatasetFile(path)) throw new DataError(path, "", `unsupported file type: expected one of ${SUFFIXES.join(", ")}`);
    return [path];
  }
  const files = readdirSync(path)
    .filter(isDatasetFile)
    .sort()
    .map((name) => join(path, name));
  if (files.length === 0) throw new DataError(path, "", `the directory holds no ${SUFFIXES.join(", ")} files`);
  return files;
}

function* readJsonArray(file: string): Generator<RawRow> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new DataError(file, "", `not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!Array.isArray(value)) throw new DataError(file, "", "a .json dataset must be an array of rows (use .jsonl for one row per line)");
  for (let i = 0; i < value.length; i++) yield { file, location: `row ${i + 1}`, value: value[i] };
}

/** Streams every row of the dataset files under `path`. */
export async function* readRows(path: string): AsyncGenerator<RawRow> {
  for (const file of datasetFiles(path)) {
    if (file.endsWith(".parquet")) {
      for await (const { row, value } of readParquet(file)) yield { file, location: `row ${row}`, value };
    } else if (file.endsWith(".json")) {
      yield* readJsonArray(file);
    } else {
      for await (const { line, value } of readJsonl(file)) yield { file, location: `line ${line}`, value };
    }
  }
}
