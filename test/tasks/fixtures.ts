/** Test helper: paths of the hand-written dataset fixtures, and a scratch directory. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../src/util/paths.js";
import type { LoadOptions } from "../../src/tasks/sources/types.js";

export const FIXTURES = join(packageRoot, "test", "fixtures", "datasets");

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

export function scratch(prefix = "testtune-data-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function loadOptions(input: string | undefined, extra: Partial<LoadOptions> = {}): LoadOptions {
  return { input, seed: 1, evalFraction: 0.1, log: () => undefined, ...extra };
}
