import assert from "node:assert/strict";
import { test } from "node:test";
import { comparePrompt, f16ShiftP90, NEAR_TIE_MARGIN, nearTieMargin, summarise, type ReferencePrompt } from "../../src/model/agreement.js";
import { END_OF_GENERATION } from "../../src/model/llama-cpp.js";

const STOPS = (token: number): boolean => token === 2;
const reference = (greedy: number[], margins?: number[]): ReferencePrompt => ({ id: "p", text: "t", prompt_ids: [1, 10, 11], greedy_ids: greedy, margins: margins ?? greedy.map(() => 1) });

test("identical sequences match in full; llama.cpp's end of generation stands for the model's stop token", () => {
  const same = comparePrompt(reference([5, 6, 7]), STOPS, [5, 6, 7], [10, 11], 1);
  assert.deepEqual([same.identical, same.matched, same.next_token_same, same.first_difference], [true, 3, true, null]);
  const stopped = comparePrompt(reference([5, 6, 2]), STOPS, [5, 6, END_OF_GENERATION], [10, 11], 1);
  assert.equal(stopped.identical, true);
  const endsEarlier = comparePrompt(reference([5, 2, 7, 8]), STOPS, [5, END_OF_GENERATION], [10, 11], 1);
  assert.deepEqual([endsEarlier.identical, endsEarlier.hf_tokens], [true, 2]);
  const early = comparePrompt(reference([5, 6, 7]), STOPS, [5, END_OF_GENERATION], [10, 11], 1);
  assert.deepEqual([early.identical, early.matched, early.first_difference?.llama], [false, 1, END_OF_GENERATION]);
});

test("the first difference records both tokens and the Hugging Face margin there; a small margin is a near-tie", () => {
  const clear = comparePrompt(reference([5, 6, 7], [1, 0.9, 0.8]), STOPS, [5, 9, 7], [10, 11], 1);
  assert.deepEqual(clear.first_difference, { index: 1, hf: 6, llama: 9, hf_margin: 0.9, near_tie: false });
  const tie = comparePrompt(reference([5, 6, 7], [1, NEAR_TIE_MARGIN / 2, 1]), STOPS, [5, 9], [10, 11], 1);
  assert.equal(tie.first_difference?.near_tie, true);
  const first = comparePrompt(reference([5, 6]), STOPS, [8, 6], [10, 11], 1);
  assert.deepEqual([first.next_token_same, first.matched], [false, 0]);
});

test("the near-tie threshold is twice the 90th percentile of the measured float16 shift, never below the fixed margin", () => {
  const withLeads = (margins: number[], leads: number[]): ReferencePrompt => ({ ...reference(margins.map((_, i) => 5 + i), margins), f16_leads: leads });
  // shifts 0, 0.1, 0.2, ..., 1.0 over two prompts: the 90th percentile is 0.9
  const shifts = Array.from({ length: 11 }, (_, i) => i / 10);
  const prompts = [withLeads(shifts.slice(0, 5).map(() => 2), shifts.slice(0, 5).map((d) => 2 - d)), withLeads(shifts.slice(5).map(() => 2), shifts.slice(5).map((d) => 2 + d))];
  const p90 = f16ShiftP90({ version: 1, max_new_tokens: 8, stop_ids: [], prompts });
  assert.ok(p90 !== null && Math.abs(p90 - 0.9) < 1e-9);
  assert.ok(Math.abs(nearTieMargin(p90) - 1.8) < 1e-9);
  assert.equal(nearTieMargin(0.001), NEAR_TIE_MARGIN);
  assert.equal(nearTieMargin(null), NEAR_TIE_MARGIN);
  assert.equal(f16ShiftP90({ version: 1, max_new_tokens: 8, stop_ids: [], prompts: [reference([5, 6])] }), null, "a reference without f16 leads");
  // the same difference is a near-tie under the measured threshold and a conversion error under the fixed one
  const at = reference([5, 6, 7], [1, 0.065, 1]);
  assert.equal(comparePrompt(at, STOPS, [5, 9], [10, 11], 1).first_difference?.near_tie, false);
  assert.equal(comparePrompt(at, STOPS, [5, 9], [10, 11], 1, nearTieMargin(0.06)).first_difference?.near_tie, true);
});

test("tokenization is compared without a leading BOS on either side, and a real difference shows", () => {
  assert.equal(comparePrompt(reference([5]), STOPS, [5], [10, 11], 1).tokenization_same, true);
  assert.equal(comparePrompt(reference([5]), STOPS, [5], [1, 10, 11], 1).tokenization_same, true);
  assert.equal(comparePrompt(reference([5]), STOPS, [5], [10, 12], 1).tokenization_same, false);
});

test("the summary counts prompts and tokens as hand-computed", () => {
  const rows = [
    comparePrompt(reference([5, 6, 7, 8]), STOPS, [5, 6, 7, 8], [10, 11], 1),
    comparePrompt(reference([5, 6, 7, 8], [1, 1, 0.01, 1]), STOPS, [5, 6, 9, 9], [10, 11], 1),
    comparePrompt(reference([4, 6]), STOPS, [5, 6], [10, 12], 1),
  ];
  const report = summarise("m.gguf", 2, 1.234, rows, 0.04);
  assert.deepEqual(report.near_tie, { margin: 0.08, f16_shift_p90: 0.04 });
  assert.deepEqual(report.next_token, { same: 2, rate: 2 / 3 });
  assert.deepEqual(report.greedy, { identical: 1, tokens_matched: 6, tokens_compared: 10, token_rate: 0.6, mean_matched_prefix: 2, differences_at_near_ties: 1 });
  assert.deepEqual([report.tokenization_same, report.prompts, report.seconds], [2, 3, 1.23]);
});
