/**
 * Where the executor's Python lives on disk, so bubblewrap can bind exactly that (read-only)
 * and nothing else of the host: the environment (a venv), the base interpreter it points to,
 * and any other directory on its sys.path.
 */
import { realpathSync } from "node:fs";
import { SandboxError } from "../errors.js";
import type { PythonEnv } from "../engine/python-env.js";
import { pythonDir } from "../util/paths.js";
import { run } from "../util/subprocess.js";

export interface InterpreterLayout {
  /** sys.executable as the environment names it (a venv's bin/python). */
  executable: string;
  /** sys.prefix, resolved: the venv, or the installation itself. */
  prefix: string;
  /** sys.base_prefix, resolved: the installation the venv was made from. */
  basePrefix: string;
  /** Directories on sys.path outside both prefixes (user site-packages, distro dist-packages). */
  extraPaths: string[];
}

const QUERY = `
import json, os, sys
paths = [os.path.realpath(p) for p in sys.path if p and os.path.isdir(p)]
print(json.dumps({"executable": sys.executable, "prefix": sys.prefix, "base_prefix": sys.base_prefix, "paths": paths}))
`;

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : `${root}/`);
}

/** Asks the interpreter for its layout (one short Python start). */
export async function interpreterLayout(env: PythonEnv): Promise<InterpreterLayout> {
  const { PYTHONPATH: _ignored, ...withoutPath } = env.env;
  const result = await run(env.python, ["-s", "-c", QUERY], { env: withoutPath, timeoutMs: 60_000 });
  if (!result.ok) {
    throw new SandboxError(`cannot query the Python interpreter ${env.python}: ${result.stderr.trim().split("\n").pop() ?? `exit ${result.exitCode}`}`, {
      hint: "run 'testtune doctor' to check the Python environment",
    });
  }
  const raw = JSON.parse(result.stdout) as { executable: string; prefix: string; base_prefix: string; paths: string[] };
  const prefix = realpathSync(raw.prefix);
  const basePrefix = realpathSync(raw.base_prefix);
  const project = realpathSync(pythonDir);
  const extraPaths = [...new Set(raw.paths)].filter((p) => !within(p, prefix) && !within(p, basePrefix) && !within(p, "/usr") && !within(p, project));
  return { executable: raw.executable, prefix, basePrefix, extraPaths };
}
