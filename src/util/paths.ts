/** Where testtune's own files are, whether run from a clone (dist/src/...) or an installed package. */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "python"))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the testtune package root above ${fileURLToPath(import.meta.url)}`);
}

/** The package root: holds package.json, python/ and configs/. */
export const packageRoot = findPackageRoot();
/** The Python project (pyproject.toml, uv.lock, testtune_engine, testtune_executor). */
export const pythonDir = join(packageRoot, "python");
/** Shipped configs and presets. */
export const configsDir = join(packageRoot, "configs");

export function fromCwd(path: string): string {
  return resolve(process.cwd(), path);
}

/** Reference datasets (HumanEval, MBPP) for tests and benchmarks: $TESTTUNE_DATASETS, else ../shared/datasets beside the checkout. */
export function referenceDatasetsDir(): string {
  return process.env.TESTTUNE_DATASETS ?? join(packageRoot, "..", "shared", "datasets");
}
