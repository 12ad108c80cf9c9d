/**
 * Fetching a dataset's Parquet files from the Hugging Face hub over plain HTTP: the
 * datasets-server `/parquet` endpoint lists the files of each config and split, and the files
 * are downloaded once into testtune's cache. HF_ENDPOINT and HF_TOKEN are honoured as the
 * Hugging Face libraries do; TESTTUNE_HF_DATASETS_SERVER points at another datasets-server.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../engine/python-env.js";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { NetworkError } from "../errors.js";

export interface HubDataset {
  /** e.g. "google-research-datasets/mbpp" */
  repo: string;
  config: string;
  /** Splits to fetch; all of them when absent. */
  splits?: string[];
}

interface ParquetListing {
  parquet_files: { config: string; split: string; url: string; filename: string; size?: number }[];
}

function datasetsServer(): string {
  return process.env.TESTTUNE_HF_DATASETS_SERVER ?? "https://datasets-server.huggingface.co";
}

function headers(): Record<string, string> {
  const token = process.env.HF_TOKEN;
  return token === undefined || token === "" ? {} : { authorization: `Bearer ${token}` };
}

function cacheRoot(): string {
  return join(cacheDir(), "hub");
}

function offline(dataset: HubDataset, what: string, cause: unknown): NetworkError {
  return new NetworkError(`cannot download ${dataset.repo} from the Hugging Face hub (${what}: ${(cause as Error).message ?? String(cause)})`, {
    hint: `without a network, download the dataset's files (https://huggingface.co/datasets/${dataset.repo}) on another machine and pass the file or directory with --input`,
    cause,
  });
}

async function getJson(url: string, dataset: HubDataset): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { headers: headers() });
  } catch (error) {
    throw offline(dataset, url, (error as { cause?: unknown }).cause ?? error);
  }
  if (!response.ok) throw offline(dataset, url, new Error(`HTTP ${response.status}`));
  return response.json();
}

async function download(url: string, target: string, dataset: HubDataset): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { headers: headers() });
  } catch (error) {
    throw offline(dataset, url, (error as { cause?: unknown }).cause ?? error);
  }
  if (!response.ok || response.body === null) throw offline(dataset, url, new Error(`HTTP ${response.status}`));
  const partial = `${target}.partial-${process.pid}`;
  try {
    await pipeline(Readable.fromWeb(response.body as import("node:stream/web").ReadableStream), createWriteStream(partial));
  } catch (error) {
    rmSync(partial, { force: true });
    throw offline(dataset, url, error);
  }
  renameSync(partial, target);
}

/** Downloads (or finds in the cache) the dataset's Parquet files; returns their local paths in order. */
export async function fetchHubDataset(dataset: HubDataset, log: (line: string) => void): Promise<string[]> {
  const listing = (await getJson(`${datasetsServer()}/parquet?dataset=${encodeURIComponent(dataset.repo)}`, dataset)) as ParquetListing;
  if (!Array.isArray(listing?.parquet_files)) throw offline(dataset, "parquet listing", new Error("unexpected answer"));
  const files = listing.parquet_files.filter((f) => f.config === dataset.config && (dataset.splits === undefined || dataset.splits.includes(f.split)));
  if (files.length === 0) throw offline(dataset, "parquet listing", new Error(`no files for config ${dataset.config}`));
  const paths: string[] = [];
  for (const file of files) {
    const dir = join(cacheRoot(), dataset.repo, file.config, file.split);
    mkdirSync(dir, { recursive: true });
    const target = join(dir, file.filename);
    if (!existsSync(target)) {
      log(`downloading ${file.url}${file.size === undefined ? "" : ` (${(file.size / 1e6).toFixed(1)} MB)`}`);
      await download(file.url, target, dataset);
    }
    paths.push(target);
  }
  return paths;
}
