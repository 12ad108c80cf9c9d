/**
 * The model card (README.md) of an export: what the files are, how to run them, how closely
 * llama.cpp reproduces the Hugging Face model, and the run's evaluation figures when the model
 * comes from a run directory (its eval/results.json, in the report's own tables).
 */
import type { EvalSummary } from "../eval/summary.js";
import { comparisonTable, markdownTable, resultsTable } from "../report/tables.js";
import { type AgreementReport, NEAR_TIE_MARGIN } from "./agreement.js";
import type { ExportResult } from "./export.js";
import type { Provenance } from "./import.js";

export interface ModelCardInput {
  result: ExportResult;
  evaluation: { file: string; summary: EvalSummary } | undefined;
  baseProvenance: Provenance | undefined;
  modelfile: string;
}

function nearTieSentence(nearTie: AgreementReport["near_tie"] | undefined): string {
  const sentence = `A near-tie is a first difference where the Hugging Face model's top-2 logit margin is below ${(nearTie?.margin ?? NEAR_TIE_MARGIN).toFixed(3)}`;
  const shift = nearTie?.f16_shift_p90;
  if (shift === undefined || shift === null) return `${sentence}.`;
  return `${sentence}: twice the 90th percentile (${shift.toFixed(3)}) of how far running the model in float16 moves that margin on these prompts, and at least ${NEAR_TIE_MARGIN}.`;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

export function renderModelCard(input: ModelCardInput): string {
  const { result } = input;
  const { source } = result;
  const lines: string[] = [`# ${source.name}`, ""];
  const from = source.run === undefined ? `\`${source.adapter ?? source.model}\`` : `stage \`${source.run.stage}\` of the testtune run \`${source.run.dir}\``;
  lines.push(`Exported by testtune from ${from}${source.adapter === undefined ? "" : ` (LoRA adapter \`${source.adapter}\` merged into \`${source.model}\`)`}.`, "");
  if (input.baseProvenance !== undefined) {
    const p = input.baseProvenance;
    lines.push(`Base weights imported from GGUF \`${p.source.gguf}\` (sha256 \`${p.source.sha256}\`, ${p.parameters.toLocaleString("en-US")} parameters).`, "");
  }
  lines.push("## Files", "", "| file | type | size | sha256 | conversion |", "|---|---|---:|---|---:|");
  for (const f of result.files) lines.push(`| ${f.file} | ${f.quant} | ${mb(f.bytes)} | \`${f.sha256.slice(0, 16)}…\` | ${f.seconds.toFixed(1)} s |`);
  const first = result.files[0]?.file ?? "";
  lines.push("", "## Run it", "", "```sh", `ollama create ${source.name} -f Modelfile`, `ollama run ${source.name}`, `# or llama.cpp directly: llama-cli -m ${first}`, "```", "");
  if (result.template_note !== undefined) lines.push(`Modelfile: ${result.template_note}.`, "");
  else lines.push(`Modelfile: the chat template is the ${result.template_family} family, written as Ollama's Go template.`, "");
  lines.push(
    "## Verified against the Hugging Face model",
    "",
    `llama.cpp (node-llama-cpp) ran each file greedily on ${result.files[0]?.agreement.prompts ?? 0} fixed prompts from the same token ids as the Hugging Face model (fp32).`,
    nearTieSentence(result.files[0]?.agreement.near_tie),
    "",
    "| file | next-token agreement | identical continuations | tokens matched before the first difference | near-ties |",
    "|---|---:|---:|---:|---:|",
  );
  for (const f of result.files) {
    const a = f.agreement;
    lines.push(`| ${f.file} | ${a.next_token.same}/${a.prompts} (${pct(a.next_token.rate)}) | ${a.greedy.identical}/${a.prompts} | ${a.greedy.tokens_matched}/${a.greedy.tokens_compared} (${pct(a.greedy.token_rate)}) | ${a.greedy.differences_at_near_ties} |`);
  }
  if (result.f16_reproduces !== null) lines.push("", `f16 reproduces the Hugging Face model token for token: ${result.f16_reproduces ? "yes" : "NO"}.`);
  lines.push("");
  if (input.evaluation !== undefined) {
    const summary = input.evaluation.summary;
    lines.push("## Evaluation", "", `From \`${input.evaluation.file}\` (test generation, scored by execution in testtune's sandbox):`, "", markdownTable(resultsTable(summary)));
    if (summary.comparisons.length > 0) lines.push("", markdownTable(comparisonTable(summary.comparisons)));
    lines.push("");
  }
  lines.push("## Modelfile", "", "```", input.modelfile.trimEnd(), "```", "");
  return lines.join("\n");
}
