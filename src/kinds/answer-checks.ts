/**
 * The checks every kind adds to its own: the placeholders in the answer (hallucination.ts) and,
 * for code answers, the style score (style.ts). A kind's check spreads this into its KindCheck:
 * `{ ...ownCheck, ...(await answerChecks(answer, "code")) }`.
 */
import { findPlaceholders } from "./hallucination.js";
import type { KindCheck } from "./kind.js";
import { styleScore } from "./style.js";

export async function answerChecks(answer: string, format: "code" | "text"): Promise<Pick<KindCheck, "hallucination" | "style">> {
  const hallucination = await findPlaceholders(answer, format);
  if (format === "text") return { hallucination };
  const style = await styleScore(answer);
  return style === undefined ? { hallucination } : { hallucination, style: style.score };
}

/** A kind's check with the shared checks filled in where the kind did not make its own. */
export function withAnswerChecks(check: KindCheck, shared: Pick<KindCheck, "hallucination" | "style">): KindCheck {
  return { ...check, hallucination: check.hallucination ?? shared.hallucination ?? [], ...(check.style === undefined && shared.style !== undefined ? { style: shared.style } : {}) };
}
