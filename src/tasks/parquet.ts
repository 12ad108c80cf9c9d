/**
 * Reading Parquet files (the format Hugging Face serves datasets in) with hyparquet, a pure-JS
 * reader: row groups are read a chunk at a time so a large shard never sits in memory whole.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { DataError } from "../errors.js";

const CHUNK_ROWS = 2000;

/** int64 columns arrive as BigInt; JSON cannot hold those, so safe ones become numbers. */
export function plainValue(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(plainValue);
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, plainValue(v)]));
  }
  return value;
}

/** Streams the rows of a Parquet file as plain objects with their 1-based row numbers. */
export async function* readParquet(file: string): AsyncGenerator<{ row: number; value: unknown }> {
  const broken = (error: unknown): DataError =>
    new DataError(file, "", `not a readable Parquet file (${(error as Error).message})`, { hint: "the download may be incomplete: download it again", cause: error });
  let buffer;
  let metadata;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw broken(error);
  }
  const total = Number(metadata.num_rows);
  for (let start = 0; start < total; start += CHUNK_ROWS) {
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: buffer, metadata, rowStart: start, rowEnd: Math.min(total, start + CHUNK_ROWS) });
    } catch (error) {
      throw broken(error);
    }
    for (let i = 0; i < rows.length; i++) yield { row: start + i + 1, value: plainValue(rows[i]) };
  }
}
