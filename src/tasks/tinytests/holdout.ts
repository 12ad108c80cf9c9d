/**
 * The TinyTests train/eval holdout is structural: within each tier, template number t and
 * variant number v (both 0-based, in the order the tier lists them) form a combination, and
 * the combination belongs to eval exactly when (t + v) % 3 == 0, to train otherwise.
 *
 * Every template has at least three variants, so each template and each operator appears in
 * train, while an eval function always combines them in a way no train function does: a model
 * that passes eval has to generalise, not recall.
 */
import type { Template, Tier } from "./draft.js";

export type TinySplit = "train" | "eval";

export function splitOfCombination(templateIndex: number, variantIndex: number): TinySplit {
  return (templateIndex + variantIndex) % 3 === 0 ? "eval" : "train";
}

export interface Combination {
  template: Template;
  variant: string;
  /** Stable name of the structure, e.g. "t2:label:<=". */
  key: string;
}

/** The combinations of a tier that belong to a split. */
export function combinationsFor(tier: Tier, split: TinySplit): Combination[] {
  const out: Combination[] = [];
  tier.templates.forEach((template, t) => {
    if (template.variants.length < 3) throw new Error(`TinyTests template ${template.name} needs at least 3 variants for the holdout rule`);
    template.variants.forEach((variant, v) => {
      if (splitOfCombination(t, v) === split) out.push({ template, variant, key: `t${tier.tier}:${template.name}:${variant}` });
    });
  });
  return out;
}
