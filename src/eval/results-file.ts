/**
 * eval/results.json, the file others read: its zod schema (docs/results.md describes every
 * field), where to find it in a run or eval directory, and reading it with errors that name
 * the file and the field. The version changes only when a field is removed, renamed or changes
 * meaning; added fields keep it (objects accept fields they do not know).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { fieldPath } from "../config/load.js";
import { DataError } from "../errors.js";
import { readJson } from "../util/jsonl.js";
import { COMPARED_METRICS } from "./comparison.js";
import type { EvalSummary } from "./summary.js";

export const RESULTS_SCHEMA_VERSION = 2;
const DOCUMENTED = "docs/results.md describes the results schema";

const probability = z.number().min(0).max(1);
const count = z.number().int().nonnegative();
const holm = { p_holm: probability.nullable() };

export const taskResultSchema = z.looseObject({
  task_id: z.string(),
  n: z.number().int().positive(),
  c: count,
  mutation: z.number(),
  reward: z.number(),
  strong: count.optional(),
  valid_mutation: probability.optional(),
});

export const comparisonSchema = z.looseObject({
  baseline: z.string(),
  model: z.string(),
  metric: z.enum(COMPARED_METRICS),
  tasks: z.number().int().positive(),
  baseline_mean: z.number(),
  model_mean: z.number(),
  mean_diff: z.number(),
  wins: count,
  losses: count,
  ties: count,
  bootstrap: z.looseObject({ confidence: z.number().gt(0).lt(1), resamples: z.number().int().positive(), ci_low: z.number(), ci_high: z.number() }),
  sign_flip: z.looseObject({ statistic: z.number(), resamples: z.number().int().positive(), p_value: probability, ...holm }),
  t_test: z.looseObject({ statistic: z.number().nullable(), df: count, p_value: probability.nullable(), ...holm }),
  wilcoxon: z.looseObject({ statistic: z.number().nonnegative(), n: count, method: z.enum(["exact", "normal"]), z: z.number().nullable(), p_value: probability, ...holm }),
  mcnemar: z.looseObject({ statistic: z.number().nonnegative(), baseline_only: count, model_only: count, method: z.enum(["exact", "chi2"]), p_value: probability, ...holm }).nullable(),
});

export const modelSummarySchema = z.looseObject({
  model: z.string(),
  tasks: z.number().int().positive(),
  samples: count,
  samples_per_task: count,
  "pass@1": probability,
  pass_at_k: z.record(z.string(), probability),
  valid_rate: probability,
  mean_mutation_score: z.number().nullable(),
  valid_mutation_score: z.number().nullable(),
  mean_line_coverage: z.number().nullable(),
  mean_reward: z.number(),
  status_counts: z.record(z.string(), count),
});

export const resultsSchema = z.looseObject({
  schema_version: z.literal(RESULTS_SCHEMA_VERSION),
  testtune_version: z.string(),
  seed: z.number().int(),
  ks: z.array(z.number().int().positive()),
  baseline: z.string().nullable(),
  models: z.array(modelSummarySchema).min(1),
  per_task: z.record(z.string(), z.array(taskResultSchema)),
  comparisons: z.array(comparisonSchema),
  "pass@1": z.record(z.string(), probability),
}).superRefine((r, ctx) => {
  for (const m of r.models) if (!(m.model in r.per_task)) ctx.addIssue({ code: "custom", path: ["per_task"], message: `has no tasks for model '${m.model}'` });
});

/** The results.json of a run directory (DIR/eval/results.json) or of an eval directory (DIR/results.json). */
export function locateResults(dir: string): string {
  const candidates = [join(dir, "results.json"), join(dir, "eval", "results.json")];
  const found = candidates.find((f) => existsSync(f));
  if (found === undefined) {
    throw new DataError(dir, "", `holds no evaluation results (looked for ${candidates.join(" and ")})`, {
      hint: "give a run directory whose eval stage finished (testtune run ... --stages eval) or the eval directory that holds results.json",
    });
  }
  return found;
}

/** Reads and validates a results.json; a file of another schema version is an error saying how to remake it. */
export function readResults(file: string): EvalSummary {
  const raw = readJson(file);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new DataError(file, "", "is not a JSON object", { hint: DOCUMENTED });
  const record = raw as Record<string, unknown>;
  // Version 1 files said `format: 1` and had no per-task results.
  const version = record.schema_version ?? (record.format === 1 ? 1 : undefined);
  if (version === undefined) {
    throw new DataError(file, "field 'schema_version'", "is missing: this is not a testtune results.json", { hint: DOCUMENTED });
  }
  if (version !== RESULTS_SCHEMA_VERSION) {
    throw new DataError(file, "field 'schema_version'", `is ${JSON.stringify(version)}, but this testtune reads schema version ${RESULTS_SCHEMA_VERSION}`, {
      hint:
        typeof version === "number" && version < RESULTS_SCHEMA_VERSION
          ? "remake it: delete the run's eval/status.json and re-run the 'testtune run' command that made the run (its samples and scores are reused); docs/results.md lists the versions"
          : "it was written by a newer testtune: upgrade testtune to read it (docs/results.md lists the versions)",
    });
  }
  const parsed = resultsSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new DataError(file, `field '${first === undefined ? "" : fieldPath(first.path) || "<root>"}'`, first?.message ?? "invalid", { hint: DOCUMENTED });
  }
  return parsed.data as unknown as EvalSummary;
}
