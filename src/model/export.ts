/**
 * `testtune model export`: a model (or a run's stage) becomes GGUF files, an Ollama Modelfile
 * and a model card, directly in the output directory, and is verified there: llama.cpp runs
 * each GGUF on the prompt set and is compared with the Hugging Face model's greedy tokens.
 * The f16 file must reproduce them token for token (a first difference at a near-tie of the
 * Hugging Face model is reported, not failed: agreement.ts); other types report agreement.
 *
 * Layout of <out>: <name>-<quant>.gguf, Modelfile, README.md (the card), export.json (every
 * figure), conversion.json, check/ (reference and one llama.cpp report per file), and hf/
 * (the merged Hugging Face model) when an adapter was merged.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataError } from "../errors.js";
import { readResults } from "../eval/results-file.js";
import { loadChatTemplate, type ChatTemplate } from "../prompts/chat-template.js";
import { sha256File } from "../util/hash.js";
import { readJson, writeJson } from "../util/jsonl.js";
import { checkAgainstLlamaCpp, readReference, type AgreementReport } from "./agreement.js";
import { CHECK_PROMPTS, type Provenance } from "./import.js";
import { renderModelCard } from "./model-card.js";
import { buildModelfile } from "./modelfile.js";
import { runModelJob } from "./run-job.js";
import { resolveModelSource, type ModelSource } from "./source.js";
import type { GgufQuant } from "./specs.js";

export interface ExportOptions {
  /** A model directory, an adapter directory, or RUN_DIR/STAGE. */
  model: string;
  out: string;
  quants?: GgufQuant[];
  /** The system prompt for the Modelfile (default: the chat template's own, if it injects one). */
  system?: string;
  prompts?: string;
  maxNewTokens?: number;
  threads?: number;
  quiet?: boolean;
}

export interface ExportedFile {
  quant: GgufQuant;
  file: string;
  bytes: number;
  sha256: string;
  seconds: number;
  agreement: Omit<AgreementReport, "per_prompt">;
}

export interface ExportResult {
  version: 1;
  out: string;
  source: ModelSource;
  files: ExportedFile[];
  /** True when the f16 file reproduced the Hugging Face model's greedy tokens (null: no f16 exported). */
  f16_reproduces: boolean | null;
  template_family: string | undefined;
  template_note: string | undefined;
  seconds: { merge: number | null; convert_and_reference: number; llama_cpp: number; total: number };
}

interface Conversion {
  files: { quant: GgufQuant; file: string; bytes: number; seconds: number }[];
}

/** Every prompt identical, or its first difference at a near-tie. */
export function reproduces(report: AgreementReport): boolean {
  return report.per_prompt.every((p) => p.identical || p.first_difference?.near_tie === true);
}

function chatTemplateOf(modelDir: string): ChatTemplate | undefined {
  try {
    return loadChatTemplate(modelDir);
  } catch {
    return undefined; // no chat template: the Modelfile says so
  }
}

export async function exportModel(options: ExportOptions): Promise<ExportResult> {
  const started = Date.now();
  const out = resolve(options.out);
  const source = await resolveModelSource(options.model, { quiet: options.quiet });
  let modelDir = source.model;
  let mergeSeconds: number | null = null;
  if (source.adapter !== undefined) {
    const merged = join(out, "hf");
    const result = await runModelJob("merge", { model: source.model, adapter: source.adapter, output_dir: merged }, merged, source.adapter, { quiet: options.quiet, hint: "docs/training.md describes the merge job" });
    mergeSeconds = result.durationMs / 1000;
    modelDir = merged;
  }
  const conversionJob = await runModelJob(
    "export-gguf",
    { model: modelDir, output_dir: out, name: source.name, quants: options.quants, prompts: resolve(options.prompts ?? CHECK_PROMPTS), max_new_tokens: options.maxNewTokens },
    out,
    modelDir,
    { quiet: options.quiet, hint: "docs/models.md says which models the converter takes" },
  );
  const conversion = readJson(join(out, "conversion.json")) as Conversion;
  const reference = readReference(join(out, "check", "hf-greedy.json"));
  const llamaStarted = Date.now();
  const files: ExportedFile[] = [];
  let f16Reproduces: boolean | null = null;
  for (const converted of conversion.files) {
    const path = join(out, converted.file);
    const report = await checkAgainstLlamaCpp(path, reference, { threads: options.threads });
    writeJson(join(out, "check", `llama-cpp-${converted.quant}.json`), report);
    if (converted.quant === "f16") f16Reproduces = reproduces(report);
    const { per_prompt: _perPrompt, ...agreement } = report;
    files.push({ ...converted, sha256: await sha256File(path), agreement });
  }
  const llamaSeconds = (Date.now() - llamaStarted) / 1000;
  const chat = chatTemplateOf(modelDir);
  const modelfile = buildModelfile({ from: files[0]?.file ?? "", chat, system: options.system });
  writeFileSync(join(out, "Modelfile"), modelfile.text);
  const result: ExportResult = {
    version: 1,
    out,
    source,
    files,
    f16_reproduces: f16Reproduces,
    template_family: modelfile.family,
    template_note: modelfile.note,
    seconds: { merge: mergeSeconds, convert_and_reference: conversionJob.durationMs / 1000, llama_cpp: llamaSeconds, total: (Date.now() - started) / 1000 },
  };
  writeJson(join(out, "export.json"), result);
  const evalFile = source.run === undefined ? undefined : join(source.run.dir, "eval", "results.json");
  const provenanceFile = join(source.model, "provenance.json");
  writeFileSync(
    join(out, "README.md"),
    renderModelCard({
      result,
      evaluation: evalFile !== undefined && existsSync(evalFile) ? { file: evalFile, summary: readResults(evalFile) } : undefined,
      baseProvenance: existsSync(provenanceFile) ? (readJson(provenanceFile) as Provenance) : undefined,
      modelfile: modelfile.text,
    }),
  );
  if (f16Reproduces === false) {
    const f16 = files.find((f) => f.quant === "f16");
    throw new DataError(join(out, f16?.file ?? "f16"), "", `llama.cpp does not reproduce the Hugging Face model's greedy tokens (${f16?.agreement.greedy.identical}/${f16?.agreement.prompts} prompts identical, differences away from near-ties)`, {
      hint: `see ${join(out, "check", "llama-cpp-f16.json")} (per prompt) and docs/models.md; the files are kept for inspection`,
    });
  }
  return result;
}
