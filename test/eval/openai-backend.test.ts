/**
 * The OpenAI-compatible backend against a small HTTP server started here: chat and completions
 * requests and answers, retries on 5xx and 429 (with Retry-After), no retry on a 4xx, and a
 * server that is down. Backoff delays are shrunk to 1 ms; nothing waits on time.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { OpenAiBackend, type OpenAiApi } from "../../src/eval/backends/openai.js";
import type { GeneratedSample, SampleRequest } from "../../src/eval/backends/types.js";
import { isTesttuneError } from "../../src/errors.js";

type Handler = (body: Record<string, unknown>, url: string, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; bodies: Record<string, unknown>[]; close: () => Promise<void> }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      bodies.push(body);
      handler(body, req.url ?? "", res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/v1`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const requests: SampleRequest[] = [
  { task_id: "t/a", sample_index: 0, prompt: "PROMPT A", instruction: "INSTRUCTION A" },
  { task_id: "t/a", sample_index: 1, prompt: "PROMPT A", instruction: "INSTRUCTION A", system: "be brief" },
];
const params = { temperature: 0.8, top_p: 0.95, max_new_tokens: 32, seed: 7 };

async function collect(backend: OpenAiBackend, reqs: readonly SampleRequest[] = requests): Promise<GeneratedSample[]> {
  const out: GeneratedSample[] = [];
  for await (const s of backend.generate(reqs, params)) out.push(s);
  return out.sort((a, b) => a.sample_index - b.sample_index);
}

const backend = (url: string, api: OpenAiApi, extra: Partial<ConstructorParameters<typeof OpenAiBackend>[0]> = {}): OpenAiBackend =>
  new OpenAiBackend({ baseUrl: url, model: "served", api, baseDelayMs: 1, concurrency: 1, ...extra });

test("chat: the instruction (and system message) go as messages to /chat/completions; content, finish and tokens come back", async () => {
  const server = await serve((body, url, res) => {
    assert.equal(url, "/v1/chat/completions");
    json(res, 200, { choices: [{ message: { role: "assistant", content: `answer ${(body.messages as unknown[]).length}` }, finish_reason: "length" }], usage: { completion_tokens: 5 } });
  });
  try {
    const samples = await collect(backend(server.url, "chat"));
    assert.deepEqual(samples.map((s) => [s.completion, s.finish_reason, s.num_tokens]), [["answer 1", "length", 5], ["answer 2", "length", 5]]);
    assert.deepEqual(server.bodies[1]?.messages, [{ role: "system", content: "be brief" }, { role: "user", content: "INSTRUCTION A" }]);
    assert.equal(server.bodies[0]?.model, "served");
    assert.equal(server.bodies[0]?.max_tokens, 32);
    // Each sample has its own seed, the same on every run.
    assert.notEqual(server.bodies[0]?.seed, server.bodies[1]?.seed);
    assert.ok(samples.every((s) => s.latency_ms >= 0));
  } finally {
    await server.close();
  }
});

test("completions: the prompt text goes to /completions; a missing usage gives num_tokens null", async () => {
  const server = await serve((body, url, res) => {
    assert.equal(url, "/v1/completions");
    json(res, 200, { choices: [{ text: `${String(body.prompt)} -> tests`, finish_reason: "stop" }] });
  });
  try {
    const samples = await collect(backend(server.url, "completions"), requests.slice(0, 1));
    assert.deepEqual(samples.map((s) => [s.completion, s.finish_reason, s.num_tokens]), [["PROMPT A -> tests", "eos", null]]);
  } finally {
    await server.close();
  }
});

test("a 500 and then a dropped connection are retried until the answer comes", async () => {
  let calls = 0;
  const server = await serve((_body, _url, res) => {
    calls += 1;
    if (calls === 1) return json(res, 500, { error: "overloaded" });
    if (calls === 2) return res.socket?.destroy();
    json(res, 200, { choices: [{ text: "ok", finish_reason: "stop" }], usage: { completion_tokens: 1 } });
  });
  try {
    const samples = await collect(backend(server.url, "completions"), requests.slice(0, 1));
    assert.equal(samples[0]?.completion, "ok");
    assert.equal(calls, 3);
  } finally {
    await server.close();
  }
});

test("429 backs off (Retry-After honoured) and succeeds; when every attempt fails the error says how often and why", async () => {
  let calls = 0;
  const server = await serve((_body, _url, res) => {
    calls += 1;
    if (calls <= 2) return json(res, 429, { error: "rate limited" }, { "retry-after": "0" });
    json(res, 200, { choices: [{ text: "late", finish_reason: "stop" }], usage: { completion_tokens: 1 } });
  });
  try {
    assert.equal((await collect(backend(server.url, "completions"), requests.slice(0, 1)))[0]?.completion, "late");
    assert.equal(calls, 3);
    calls = -10; // every attempt of the next request is rate limited
    await assert.rejects(collect(backend(server.url, "completions", { attempts: 3 }), requests.slice(0, 1)), (error: unknown) => isTesttuneError(error) && error.code === "E_NETWORK" && /failed 3 times for t\/a sample 0; last: HTTP 429/.test(error.message));
  } finally {
    await server.close();
  }
});

test("a 4xx is not retried: the server's message and a hint about the model name", async () => {
  let calls = 0;
  const server = await serve((_body, _url, res) => {
    calls += 1;
    json(res, 404, { error: "model 'served' not found" });
  });
  try {
    await assert.rejects(collect(backend(server.url, "chat"), requests.slice(0, 1)), (error: unknown) => isTesttuneError(error) && /HTTP 404: .*not found/.test(error.message) && /served model's name/.test(error.hint ?? ""));
    assert.equal(calls, 1);
  } finally {
    await server.close();
  }
});

test("a server that is down is an error that says so and names the URL", async () => {
  const server = await serve(() => undefined);
  const url = server.url;
  await server.close(); // nothing listens on this port now
  await assert.rejects(collect(backend(url, "chat"), requests.slice(0, 1)), (error: unknown) => isTesttuneError(error) && error.code === "E_NETWORK" && error.message.includes(`the server at ${url} is down`) && /start the server/.test(error.hint ?? ""));
});

test("a request past its timeout is retried, then reported", async () => {
  const server = await serve(() => undefined); // never answers
  try {
    await assert.rejects(collect(backend(server.url, "chat", { timeoutMs: 50, attempts: 2 }), requests.slice(0, 1)), /failed 2 times .*no answer within 0.05 s/);
  } finally {
    server.close().catch(() => undefined);
  }
});
