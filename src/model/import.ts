/**
 * `testtune model import`: a GGUF file becomes a Hugging Face model directory (the
 * import-gguf engine job), then llama.cpp runs the GGUF itself on the prompt set and the two
 * are compared (agreement.ts). The report goes to <out>/check/llama-cpp.json.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataError } from "../errors.js";
import { readJson, writeJson } from "../util/jsonl.js";
import { configsDir } from "../util/paths.js";
import { checkAgainstLlamaCpp, readReference, type AgreementReport } from "./agreement.js";
import { runModelJob } from "./run-job.js";

/** The fixed prompt set of the llama.cpp checks: 12 code prompts and 12 chat prompts. */
export const CHECK_PROMPTS = join(configsDir, "model-check", "prompts.jsonl");

export interface Provenance {
  version: 1;
  source: { gguf: string; sha256: string; bytes: number; architecture?: string; name?: string };
  parameters: number;
  dtype: string;
  seconds: { load_and_dequantise: number; total: number; reference: number | null };
  versions: Record<string, string>;
  imported_at: string;
}

export interface ImportOptions {
  gguf: string;
  out: string;
  /** Prompt set of the llama.cpp check; default CHECK_PROMPTS. */
  prompts?: string;
  maxNewTokens?: number;
  /** Run the llama.cpp check (default true). */
  check?: boolean;
  threads?: number;
  quiet?: boolean;
}

export interface ImportResult {
  dir: string;
  provenance: Provenance;
  agreement: AgreementReport | undefined;
  /** Wall time of the whole import, check included. */
  seconds: number;
}

/** The files an imported directory holds beside the model. */
export function importFiles(dir: string): { provenance: string; reference: string; agreement: string } {
  return { provenance: join(dir, "provenance.json"), reference: join(dir, "check", "hf-greedy.json"), agreement: join(dir, "check", "llama-cpp.json") };
}

function checkGgufFile(file: string): void {
  if (!existsSync(file) || !statSync(file).isFile()) throw new DataError(file, "", "file not found", { hint: "pass the path of a .gguf file: testtune model import --gguf FILE --out DIR" });
  const magic = Buffer.alloc(4);
  const fd = openSync(file, "r");
  try {
    readSync(fd, magic, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (magic.toString("latin1") !== "GGUF") throw new DataError(file, "", "is not a GGUF file (it does not start with the GGUF magic bytes)", { hint: "docs/models.md says which files testtune model import reads" });
}

export async function importGguf(options: ImportOptions): Promise<ImportResult> {
  const started = Date.now();
  const gguf = resolve(options.gguf);
  const dir = resolve(options.out);
  checkGgufFile(gguf);
  const check = options.check ?? true;
  const prompts = resolve(options.prompts ?? CHECK_PROMPTS);
  await runModelJob("import-gguf", { gguf, output_dir: dir, prompts: check ? prompts : null, max_new_tokens: options.maxNewTokens }, dir, gguf, {
    quiet: options.quiet,
    hint: "docs/models.md lists the architectures testtune model import maps and how to import others",
  });
  const files = importFiles(dir);
  const provenance = readJson(files.provenance) as Provenance;
  let agreement: AgreementReport | undefined;
  if (check) {
    agreement = await checkAgainstLlamaCpp(gguf, readReference(files.reference), { threads: options.threads });
    writeJson(files.agreement, agreement);
  }
  return { dir, provenance, agreement, seconds: (Date.now() - started) / 1000 };
}
