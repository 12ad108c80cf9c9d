/** A readable summary of one ExecResult (what `testtune exec` prints without --json). */
import type { ExecResult, TestResult } from "./types.js";

const OUTPUT_LINES = 20;

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}

function testLine(test: TestResult): string {
  const head = `  ${test.outcome.toUpperCase().padEnd(8)} ${test.nodeid}  ${test.duration_s.toFixed(3)} s`;
  return test.message === "" || test.outcome === "passed" ? head : `${head}\n${indent(test.message, "           ")}`;
}

function tail(label: string, text: string): string[] {
  if (text.trim() === "") return [];
  const lines = text.trimEnd().split("\n");
  const shown = lines.length > OUTPUT_LINES ? [`... (${lines.length - OUTPUT_LINES} earlier lines)`, ...lines.slice(-OUTPUT_LINES)] : lines;
  return [`${label}:`, indent(shown.join("\n"), "  ")];
}

export function formatResult(result: ExecResult): string {
  const counts = new Map<string, number>();
  for (const test of result.tests) counts.set(test.outcome, (counts.get(test.outcome) ?? 0) + 1);
  const breakdown = [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(", ");
  const isolation = result.isolation === "none" ? "isolation: NONE" : "isolation: bubblewrap";
  const lines = [
    `${result.status}  ${result.tests.length} tests${breakdown === "" ? "" : ` (${breakdown})`}, ${result.assertions} assertions passed, ${result.duration_s.toFixed(3)} s  [${isolation}]`,
    ...result.tests.map(testLine),
  ];
  if (result.detail !== "") lines.push(`detail: ${result.detail}`);
  const cov = result.coverage;
  if (cov !== undefined) {
    const missing = cov.missing_lines.length > 0 ? `, missing lines ${cov.missing_lines.join(", ")}` : "";
    lines.push(`coverage: lines ${percent(cov.line)} (${cov.lines_covered}/${cov.lines_total}), branches ${percent(cov.branch)} (${cov.branches_covered}/${cov.branches_total})${missing}`);
  }
  const mut = result.mutation;
  if (mut !== undefined) {
    lines.push(`mutants: score ${mut.score.toFixed(2)}: ${mut.killed} killed, ${mut.survived} survived, ${mut.timeout} timed out, of ${mut.total}`);
    for (const m of mut.mutants.filter((x) => x.status !== "killed")) lines.push(`  ${m.status.padEnd(8)} #${m.id} ${m.operator} (line ${m.line})`);
  }
  lines.push(...tail("stdout", result.stdout), ...tail("stderr", result.stderr));
  return `${lines.join("\n")}\n`;
}
