/** What every dataset adapter provides: tasks from a local file or the hub, and what it dropped. */
import type { Task } from "../schema.js";
import type { HubDataset } from "../hub.js";
import type { RegistryFile } from "../registry.js";

export interface LoadOptions {
  /** A downloaded file or a directory (of shards, or of Python sources for the corpus). */
  input?: string;
  seed: number;
  /** Upper bound on tasks wanted; adapters that generate (TinyTests) make exactly this many. */
  limit?: number;
  /** Fraction of tasks for eval, for adapters that split themselves (TinyTests). */
  evalFraction: number;
  /** TinyTests: tiers to generate (default all). */
  tiers?: number[];
  /** TestGenEval: the prepared repository environment that lets its tasks run. */
  repoEnv?: string;
  log: (line: string) => void;
}

/** A row or task an adapter or a later step left out, and why. */
export interface Drop {
  id: string;
  reason: string;
  detail?: string;
}

export interface LoadResult {
  tasks: Task[];
  drops: Drop[];
  /** Rows read from the input (before any drop); for the corpus, Python files read. */
  rows: number;
  /** Skips counted without an id each (the corpus walk: files, functions), by reason. */
  skipped?: Record<string, number>;
}

export interface SourceAdapter {
  name: string;
  summary: string;
  /** Printed whenever the source is used (non-permissive licences). */
  license?: string;
  /** Where the data lives on the Hugging Face hub, when no --input is given. */
  hub?: HubDataset;
  /** A package on the Python package registry that ships the data (tried before the hub). */
  registry?: RegistryFile;
  load(options: LoadOptions): Promise<LoadResult>;
}
