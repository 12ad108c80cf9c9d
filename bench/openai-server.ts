/**
 * A small OpenAI-compatible server over llama.cpp (node-llama-cpp, through testtune's GGUF
 * backend), so that `testtune eval` can be measured against an HTTP endpoint without installing
 * vLLM or llama-server. `POST /v1/completions` continues `prompt`; `POST /v1/chat/completions`
 * renders `messages` through the GGUF's chat template first. Honoured: max_tokens,
 * temperature, top_p, seed; answered: choices[0].text or .message.content, finish_reason,
 * usage.completion_tokens. Concurrent requests share the context's sequences.
 *
 *   node dist/bench/openai-server.js --gguf model.gguf --port 8089 [--threads 1] [--sequences 4]
 *
 * For measurement only: no streaming, no n > 1, no logprobs, no authentication.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { GgufBackend } from "../src/eval/backends/gguf.js";
import { renderChatPrompt, type ChatMessage } from "../src/prompts/chat-template.js";

export interface ServerOptions {
  gguf: string;
  port?: number;
  threads?: number;
  sequences?: number;
  /** Tokens per sequence (prompt plus completion). */
  contextSize?: number;
}

interface Body {
  prompt?: string;
  messages?: ChatMessage[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export async function startGgufServer(options: ServerOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const backend = await GgufBackend.open({ path: options.gguf, threads: options.threads, sequences: options.sequences, contextSize: options.contextSize ?? 2048 });
  const chat = backend.chatTemplate();
  const answer = async (route: "chat" | "completions", body: Body): Promise<unknown> => {
    let prompt: string;
    if (route === "chat") {
      if (chat === undefined) throw new Error("this GGUF has no chat template: use /v1/completions");
      prompt = renderChatPrompt(chat, body.messages ?? []);
    } else prompt = body.prompt ?? "";
    const params = { temperature: body.temperature ?? 1, top_p: body.top_p ?? 1, max_new_tokens: body.max_tokens ?? 256, seed: body.seed ?? 0 };
    // One fixed id: a request's sample depends only on its own seed (the backend derives it from seed, id and index).
    for await (const s of backend.generate([{ task_id: "request", sample_index: 0, prompt, instruction: "" }], params)) {
      const finish = s.finish_reason === "length" ? "length" : "stop";
      const choice = route === "chat" ? { index: 0, message: { role: "assistant", content: s.completion }, finish_reason: finish } : { index: 0, text: s.completion, finish_reason: finish };
      return { object: route === "chat" ? "chat.completion" : "text_completion", choices: [choice], usage: { completion_tokens: s.num_tokens } };
    }
    throw new Error("no sample came back");
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      const route = req.url === "/v1/chat/completions" ? "chat" : req.url === "/v1/completions" ? "completions" : undefined;
      if (req.method !== "POST" || route === undefined) return send(res, 404, { error: `no route ${req.method} ${req.url}` });
      let body: Body;
      try {
        body = JSON.parse(text) as Body;
      } catch {
        return send(res, 400, { error: "the body is not JSON" });
      }
      answer(route, body).then(
        (result) => send(res, 200, result),
        (error: unknown) => send(res, 500, { error: (error as Error).message }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await backend.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { gguf: { type: "string" }, port: { type: "string", default: "8089" }, threads: { type: "string" }, sequences: { type: "string", default: "4" } } });
  if (values.gguf === undefined) {
    process.stderr.write("usage: node dist/bench/openai-server.js --gguf FILE [--port 8089] [--threads N] [--sequences 4]\n");
    process.exit(2);
  }
  const server = await startGgufServer({ gguf: values.gguf, port: Number(values.port), threads: values.threads === undefined ? undefined : Number(values.threads), sequences: Number(values.sequences) });
  process.stderr.write(`serving ${values.gguf} at ${server.url} (Ctrl-C stops)\n`);
  process.once("SIGINT", () => void server.close().then(() => process.exit(0)));
}
