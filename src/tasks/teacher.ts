/** A teacher model behind any OpenAI-compatible server: POST /v1/chat/completions. */
import { NetworkError } from "../errors.js";

export interface TeacherOptions {
  /** Server base URL, e.g. http://127.0.0.1:8000 or https://api.example.com/v1 */
  url: string;
  model: string;
  temperature: number;
  maxTokens: number;
  timeoutMs: number;
  /** Sent as a bearer token when set (OPENAI_API_KEY). */
  apiKey?: string;
}

export function completionsUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, "");
  if (trimmed.endsWith("/chat/completions")) return trimmed;
  return trimmed.endsWith("/v1") ? `${trimmed}/chat/completions` : `${trimmed}/v1/chat/completions`;
}

interface ChatResponse {
  choices?: { message?: { content?: unknown } }[];
}

/** Asks for `n` answers to one user message; returns the texts the server sent (possibly fewer). */
export async function askTeacher(options: TeacherOptions, content: string, n: number): Promise<string[]> {
  const url = completionsUrl(options.url);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }) },
      body: JSON.stringify({ model: options.model, messages: [{ role: "user", content }], n, temperature: options.temperature, max_tokens: options.maxTokens }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: Error }).cause ?? (error as Error);
    throw new NetworkError(`teacher at ${url} did not answer: ${cause.message}`, { hint: "check --teacher (the server's base URL) and that the server is running", cause: error });
  }
  const text = await response.text();
  if (!response.ok) throw new NetworkError(`teacher at ${url} answered HTTP ${response.status}: ${text.slice(0, 300)}`, { hint: `check --model ${options.model} and the server's log` });
  let body: ChatResponse;
  try {
    body = JSON.parse(text) as ChatResponse;
  } catch {
    throw new NetworkError(`teacher at ${url} answered something that is not JSON: ${text.slice(0, 200)}`);
  }
  if (!Array.isArray(body.choices)) throw new NetworkError(`teacher at ${url} answered without 'choices': ${text.slice(0, 200)}`);
  return body.choices.map((c) => c.message?.content).filter((c): c is string => typeof c === "string");
}
