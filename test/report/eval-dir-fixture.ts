/**
 * A small eval directory as the eval stage writes it (results.json, <model>/{tasks,samples,scores}.jsonl),
 * for two models on three tasks in two categories: valid, failing and never-collected samples,
 * missed mutants, and a completion that tries to end the page's script element.
 */
import { join } from "node:path";
import { computeModelResults, type ScoredSample } from "../../src/eval/results.js";
import { summarize } from "../../src/eval/summary.js";
import { writeJson, writeJsonl } from "../../src/util/jsonl.js";

export const FIXTURE_MODELS = ["sft", "grpo"] as const;

export const FIXTURE_TASKS = [
  { id: "tt/add", source: "test", code: "def add(a, b):\n    if a < 0:\n        return 0\n    return a + b\n", module: "solution", entry_points: ["add"], category: "arithmetic", metadata: {} },
  { id: "tt/neg", source: "test", code: "def neg(x):\n    return -x\n", module: "solution", entry_points: ["neg"], category: "arithmetic", metadata: {} },
  { id: "tt/pick", source: "test", code: "def pick(x):\n    return 'big' if x > 9 else 'small'\n", module: "solution", entry_points: ["pick"], category: "branches", metadata: {} },
];

/** A script-ending completion: the page must show it as text, and its data must still parse. */
export const HOSTILE = "</script><script>document.title='pwned'</script>";

interface Line {
  task: string;
  status: string;
  valid: boolean;
  reward: number;
  detail?: string;
  mutation?: { score: number; total: number; killed: number };
  missed?: { operator: string; line: number; mutated?: string }[];
  completion: string;
}

function lines(model: string): Line[] {
  const good = { status: "passed", valid: true, reward: 0.8, detail: "", mutation: { score: 0.5, total: 2, killed: 1 }, missed: [{ operator: "compare:<-><=", line: 2, mutated: "if a <= 0:" }] };
  if (model === "sft") {
    return [
      { task: "tt/add", ...good, completion: "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n" },
      { task: "tt/add", status: "failed", valid: false, reward: 0, detail: "1 of 1 tests failed; first: test_solution.py::test_add: assert 4 == 3", completion: "from solution import add\n\ndef test_add():\n    assert add(2, 2) == 3\n" },
      { task: "tt/neg", status: "syntax_error", valid: false, reward: 0, detail: "the test file is not valid Python", completion: `def test_neg(:\n    pass  # ${HOSTILE}\n` },
      { task: "tt/neg", status: "collection_error", valid: false, reward: 0, detail: "test_solution.py: ImportError: cannot import name 'negate'", completion: "from solution import negate\n" },
      { task: "tt/pick", status: "failed", valid: false, reward: 0, detail: "1 of 1 tests failed; first: test_solution.py::test_pick: AssertionError", completion: "from solution import pick\n\ndef test_pick():\n    assert pick(1) == 'big'\n" },
      { task: "tt/pick", status: "no_tests", valid: false, reward: 0, detail: "no tests ran", completion: "from solution import pick\n" },
    ];
  }
  return [
    { task: "tt/add", ...good, reward: 1, mutation: { score: 1, total: 2, killed: 2 }, missed: [], completion: "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n    assert add(-1, 2) == 0\n" },
    { task: "tt/add", ...good, completion: "from solution import add\n\ndef test_add():\n    assert add(1, 1) == 2\n" },
    { task: "tt/neg", ...good, mutation: { score: 1, total: 1, killed: 1 }, missed: [], completion: "from solution import neg\n\ndef test_neg():\n    assert neg(2) == -2\n" },
    { task: "tt/neg", status: "timeout", valid: false, reward: 0, detail: "the run took longer than 10 s", completion: "from solution import neg\n\ndef test_neg():\n    while True: pass\n" },
    { task: "tt/pick", status: "failed", valid: false, reward: 0, detail: "1 of 1 tests failed; first: test_solution.py::test_pick: assert 'small' == 'big'", completion: "from solution import pick\n\ndef test_pick():\n    assert pick(3) == 'big'\n" },
    { task: "tt/pick", status: "passed", valid: false, reward: 0, detail: "", completion: "def pick(x):\n    return 'big'\n\ndef test_pick():\n    assert pick(3) == 'big'\n" },
  ];
}

/** Writes the eval directory under `dir` and returns it. */
export function writeEvalDir(dir: string): string {
  const results = FIXTURE_MODELS.map((model) => {
    const own = lines(model);
    writeJsonl(join(dir, model, "tasks.jsonl"), FIXTURE_TASKS);
    writeJsonl(join(dir, model, "samples.jsonl"), own.map((l, i) => ({ task_id: l.task, sample_index: i % 2, completion: l.completion })));
    const scores = own.map((l, i) => ({
      task_id: l.task,
      sample_index: i % 2,
      sample_line: i + 1,
      status: l.status,
      valid: l.valid,
      reward: l.reward,
      detail: l.detail ?? "",
      ...(l.mutation === undefined ? {} : { mutation: l.mutation }),
      ...(l.missed === undefined || l.missed.length === 0 ? {} : { missed_mutants: l.missed }),
      ...(l.status === "passed" && !l.valid ? { invalid_reason: "tests its own pick: the file rebinds the entry point(s) of the module under test" } : {}),
    }));
    writeJsonl(join(dir, model, "scores.jsonl"), scores);
    return computeModelResults(model, scores as unknown as ScoredSample[], [1, 2], FIXTURE_TASKS.map((t) => t.id), 0.8);
  });
  writeJson(join(dir, "results.json"), summarize(results, { ks: [1, 2], seed: 7, testtuneVersion: "0.0.0-test", baseline: "sft" }));
  return dir;
}
