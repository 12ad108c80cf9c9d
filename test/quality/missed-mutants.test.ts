import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_MISSED_MUTANTS, missedMutants } from "../../src/quality/missed-mutants.js";
import type { MutantResult, MutationReport } from "../../src/sandbox/types.js";

function report(mutants: MutantResult[]): MutationReport {
  const killed = mutants.filter((m) => m.status === "killed").length;
  return { total: mutants.length, killed, survived: mutants.length - killed, timeout: 0, score: killed / mutants.length, mutants };
}

test("only survived mutants are missed; the mutated line comes from the listed source", () => {
  const r = report([
    { id: 1, operator: "compare:<-><=", line: 2, status: "survived" },
    { id: 2, operator: "arith:+->-", line: 3, status: "killed" },
    { id: 3, operator: "return:drop", line: 3, status: "timeout" },
    { id: 4, operator: "const:+1", line: 9, status: "survived" },
  ]);
  const listed = [{ id: 1, operator: "compare:<-><=", line: 2, source: "def f(x):\n    if x <= 3:\n        return 1\n" }];
  assert.deepEqual(missedMutants(r, listed), [
    { operator: "compare:<-><=", line: 2, mutated: "if x <= 3:" },
    { operator: "const:+1", line: 9 },
  ]);
  assert.deepEqual(missedMutants(r, undefined).map((m) => m.mutated), [undefined, undefined]);
});

test("the list and each line are bounded", () => {
  const many = Array.from({ length: 50 }, (_, i): MutantResult => ({ id: i, operator: "op", line: 1, status: "survived" }));
  const long = `x = ${"1 + ".repeat(100)}1`;
  const missed = missedMutants(report(many), [{ id: 0, operator: "op", line: 1, source: long }]);
  assert.equal(missed.length, MAX_MISSED_MUTANTS);
  assert.equal(missed[0]?.mutated?.length, 160);
  assert.ok(missed[0]?.mutated?.endsWith("…"));
});
