/**
 * How closely llama.cpp running a GGUF reproduces the Hugging Face model: both decode greedily
 * from the same token ids (the reference written by the import or export job,
 * python/testtune_engine/greedy_reference.py) and the token sequences are compared.
 *
 * - next-token agreement: the first greedy token is the same (top-1 of the two models);
 * - greedy continuation: how many tokens match before the first difference;
 * - near-tie: a first difference where the Hugging Face model's top-2 logit margin is below the
 *   report's threshold, i.e. a step a change of precision may flip (a quantised or f16 file need
 *   not agree there; an f16 file that differs elsewhere is a conversion error). The threshold is
 *   measured per model: twice the 90th percentile of how far casting the model to float16 moves
 *   the greedy token's lead (the reference's `margins` against its `f16_leads`), and never below
 *   NEAR_TIE_MARGIN. A fixed threshold alone failed an exported model whose f16 copy moved
 *   margins by up to 0.33 (median 0.017): llama.cpp differed at a step of margin 0.065.
 * - tokenization: llama.cpp's own tokenization of the prompt text equals the Hugging Face ids
 *   (leading BOS aside), which the model comparison deliberately does not depend on.
 */
import { readFileSync } from "node:fs";
import { DataError } from "../errors.js";
import { mean, quantile } from "../util/stats.js";
import { END_OF_GENERATION, openGguf } from "./llama-cpp.js";

/** The least top-2 logit margin under which a difference counts as a near-tie (logits of fp32 models differ from f16 ones by ~1e-3 relative). */
export const NEAR_TIE_MARGIN = 0.05;

export interface ReferencePrompt {
  id: string;
  text: string;
  prompt_ids: number[];
  greedy_ids: number[];
  margins: number[];
  /** The greedy token's lead over the best other token when the model runs in float16 (absent in references written before it was measured). */
  f16_leads?: number[];
}

export interface GreedyReference {
  version: 1;
  max_new_tokens: number;
  stop_ids: number[];
  prompts: ReferencePrompt[];
}

export interface PromptAgreement {
  id: string;
  prompt_tokens: number;
  tokenization_same: boolean;
  next_token_same: boolean;
  /** Tokens equal before the first difference (all of them when the sequences are equal). */
  matched: number;
  /** Length of the Hugging Face greedy sequence (up to where both ended). */
  hf_tokens: number;
  identical: boolean;
  /** The first difference: position, both tokens, and the Hugging Face top-2 margin there. */
  first_difference: { index: number; hf: number | null; llama: number | null; hf_margin: number | null; near_tie: boolean } | null;
}

export interface AgreementReport {
  version: 1;
  gguf: string;
  threads: number;
  seconds: number;
  prompts: number;
  next_token: { same: number; rate: number };
  greedy: { identical: number; tokens_matched: number; tokens_compared: number; token_rate: number; mean_matched_prefix: number; differences_at_near_ties: number };
  /** The near-tie threshold used, and the measured float16 shift it came from (null: the reference has no f16 leads). */
  near_tie: { margin: number; f16_shift_p90: number | null };
  tokenization_same: number;
  per_prompt: PromptAgreement[];
}

export function readReference(file: string): GreedyReference {
  let parsed: GreedyReference;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8")) as GreedyReference;
  } catch (error) {
    throw new DataError(file, "", `cannot be read as the greedy reference (${(error as Error).message})`, { hint: "re-run the import or export that writes it" });
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.prompts)) throw new DataError(file, "", "is not a version 1 greedy reference", { hint: "re-run the import or export that writes it" });
  return parsed;
}

function stripBos(ids: number[], bos: number | undefined): number[] {
  return bos !== undefined && ids[0] === bos ? ids.slice(1) : ids;
}

/** The 90th percentile of |margin - f16 lead| over every step of every prompt; null when not measured. */
export function f16ShiftP90(reference: GreedyReference): number | null {
  const shifts = reference.prompts.flatMap((p) => (p.f16_leads ?? []).map((lead, i) => Math.abs((p.margins[i] ?? lead) - lead)));
  return quantile(shifts, 0.9);
}

/** The near-tie threshold for a reference: twice its measured float16 shift, at least NEAR_TIE_MARGIN. */
export function nearTieMargin(shiftP90: number | null): number {
  return Math.max(NEAR_TIE_MARGIN, 2 * (shiftP90 ?? 0));
}

/** Compares one prompt's greedy sequences (pure: the unit tests call it directly). */
export function comparePrompt(reference: ReferencePrompt, isStop: (token: number) => boolean, llama: number[], llamaTokenization: number[], bos?: number, nearTie = NEAR_TIE_MARGIN): PromptAgreement {
  // llama.cpp's end of generation stands for whichever end token the Hugging Face model chose;
  // both sequences end there (the reference may run on past a token llama.cpp ends at).
  const same = (h: number | undefined, l: number | undefined): boolean => h !== undefined && (h === l || (l === END_OF_GENERATION && isStop(h)));
  const ended = llama.at(-1) === END_OF_GENERATION && same(reference.greedy_ids[llama.length - 1], END_OF_GENERATION);
  const hf = ended ? reference.greedy_ids.slice(0, llama.length) : reference.greedy_ids;
  let matched = 0;
  while (matched < hf.length && matched < llama.length && same(hf[matched], llama[matched])) matched += 1;
  const identical = matched === hf.length && matched === llama.length;
  const margin = reference.margins[matched] ?? null;
  const hfIds = stripBos(reference.prompt_ids, bos);
  const llamaIds = stripBos(llamaTokenization, bos);
  return {
    id: reference.id,
    prompt_tokens: reference.prompt_ids.length,
    tokenization_same: hfIds.length === llamaIds.length && hfIds.every((id, i) => id === llamaIds[i]),
    next_token_same: same(hf[0], llama[0]),
    matched,
    hf_tokens: hf.length,
    identical,
    first_difference: identical ? null : { index: matched, hf: hf[matched] ?? null, llama: llama[matched] ?? null, hf_margin: margin, near_tie: margin !== null && margin < nearTie },
  };
}

/** Sums per-prompt agreements into the report's figures. */
export function summarise(gguf: string, threads: number, seconds: number, perPrompt: PromptAgreement[], f16Shift: number | null = null): AgreementReport {
  const count = perPrompt.length;
  const nextSame = perPrompt.filter((p) => p.next_token_same).length;
  const matched = perPrompt.reduce((sum, p) => sum + p.matched, 0);
  const compared = perPrompt.reduce((sum, p) => sum + p.hf_tokens, 0);
  return {
    version: 1,
    gguf,
    threads,
    seconds: Math.round(seconds * 100) / 100,
    prompts: count,
    next_token: { same: nextSame, rate: count === 0 ? 0 : nextSame / count },
    greedy: {
      identical: perPrompt.filter((p) => p.identical).length,
      tokens_matched: matched,
      tokens_compared: compared,
      token_rate: compared === 0 ? 0 : matched / compared,
      mean_matched_prefix: mean(perPrompt.map((p) => p.matched)),
      differences_at_near_ties: perPrompt.filter((p) => p.first_difference?.near_tie === true).length,
    },
    near_tie: { margin: nearTieMargin(f16Shift), f16_shift_p90: f16Shift },
    tokenization_same: perPrompt.filter((p) => p.tokenization_same).length,
    per_prompt: perPrompt,
  };
}

/** Runs `gguf` in llama.cpp on every reference prompt and compares. */
export async function checkAgainstLlamaCpp(gguf: string, reference: GreedyReference, options: { threads?: number } = {}): Promise<AgreementReport> {
  const longest = Math.max(...reference.prompts.map((p) => p.prompt_ids.length));
  const started = Date.now();
  const shift = f16ShiftP90(reference);
  const nearTie = nearTieMargin(shift);
  const model = await openGguf(gguf, { contextSize: longest + reference.max_new_tokens + 1, threads: options.threads });
  try {
    const perPrompt: PromptAgreement[] = [];
    for (const prompt of reference.prompts) {
      const llama = await model.greedy(prompt.prompt_ids, reference.max_new_tokens, reference.stop_ids);
      perPrompt.push(comparePrompt(prompt, (token) => reference.stop_ids.includes(token) || model.isEndOfGeneration(token), llama, model.tokenize(prompt.text), model.bos, nearTie));
    }
    return summarise(gguf, model.threads, (Date.now() - started) / 1000, perPrompt, shift);
  } finally {
    await model.close();
  }
}

const percent = (rate: number): string => `${(rate * 100).toFixed(1)}%`;

const shiftNote = (report: AgreementReport): string => (report.near_tie.f16_shift_p90 === null ? "" : `, twice the float16 shift p90 ${report.near_tie.f16_shift_p90.toFixed(3)} or ${NEAR_TIE_MARGIN}`);

/** The report as a few lines for the terminal and the model card. */
export function formatAgreement(label: string, report: AgreementReport): string {
  const g = report.greedy;
  return [
    `${label}: llama.cpp vs the Hugging Face model on ${report.prompts} prompts (greedy, same token ids; ${report.threads} threads, ${report.seconds.toFixed(1)} s)`,
    `  next-token agreement   ${report.next_token.same}/${report.prompts} (${percent(report.next_token.rate)})`,
    `  identical continuations ${g.identical}/${report.prompts}; tokens matched before the first difference ${g.tokens_matched}/${g.tokens_compared} (${percent(g.token_rate)}), mean prefix ${g.mean_matched_prefix.toFixed(1)}`,
    `  first differences at near-ties (top-2 margin < ${report.near_tie.margin.toFixed(3)}${shiftNote(report)}) ${g.differences_at_near_ties}; tokenization identical ${report.tokenization_same}/${report.prompts}`,
  ].join("\n");
}
