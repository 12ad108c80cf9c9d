/**
 * The body of `POST /v1/score`, in any of the three accepted shapes (docs/rewards.md):
 * - `{"task_ids": [...], "completions": [...]}` (testtune's own, TRL, verl)
 * - `{"items": [{"task_id": ..., "completion": ...}, ...]}`
 * - `{"query": [...], "prompts": [...], "labels": [...]}` (OpenRLHF's remote reward request:
 *   `query` is prompt + response, `labels` carries the task id; the response is `query`
 *   with its `prompts` prefix removed)
 * Errors carry the HTTP status and the field they are about.
 */
import type { Task } from "../tasks/schema.js";

export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export interface ScoreRequestItem {
  task: Task;
  completion: string;
}

function stringList(body: Record<string, unknown>, field: string): string[] {
  const value = body[field];
  if (!Array.isArray(value)) throw new RequestError(400, `'${field}' must be a list of strings`, field);
  value.forEach((v, i) => {
    if (typeof v !== "string") throw new RequestError(400, `'${field}[${i}]' must be a string, got ${v === null ? "null" : typeof v}`, `${field}[${i}]`);
  });
  return value as string[];
}

function sameLength(a: string[], aName: string, b: string[], bName: string): void {
  if (a.length !== b.length) throw new RequestError(400, `'${aName}' has ${a.length} entries but '${bName}' has ${b.length}`, bName);
}

function pairs(body: Record<string, unknown>): { ids: string[]; completions: string[]; idField: string } {
  if ("items" in body) {
    const items = body.items;
    if (!Array.isArray(items)) throw new RequestError(400, "'items' must be a list of {task_id, completion} objects", "items");
    const ids: string[] = [];
    const completions: string[] = [];
    items.forEach((item: unknown, i) => {
      const entry = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
      for (const key of ["task_id", "completion"]) {
        if (typeof entry[key] !== "string") throw new RequestError(400, `'items[${i}].${key}' must be a string`, `items[${i}].${key}`);
      }
      ids.push(entry.task_id as string);
      completions.push(entry.completion as string);
    });
    return { ids, completions, idField: "items[].task_id" };
  }
  if ("query" in body) {
    const query = stringList(body, "query");
    const prompts = stringList(body, "prompts");
    const labels = stringList(body, "labels");
    sameLength(query, "query", prompts, "prompts");
    sameLength(query, "query", labels, "labels");
    const completions = query.map((q, i) => {
      const prompt = prompts[i] as string;
      if (!q.startsWith(prompt)) throw new RequestError(400, `'query[${i}]' does not start with 'prompts[${i}]': cannot tell the response apart`, `query[${i}]`);
      return q.slice(prompt.length);
    });
    return { ids: labels, completions, idField: "labels" };
  }
  if (!("task_ids" in body) && !("completions" in body)) {
    throw new RequestError(400, "expected {task_ids, completions}, {items: [{task_id, completion}]} or {query, prompts, labels}", "");
  }
  const ids = stringList(body, "task_ids");
  const completions = stringList(body, "completions");
  sameLength(ids, "task_ids", completions, "completions");
  return { ids, completions, idField: "task_ids" };
}

/** The items to score; throws RequestError (400 bad shape, 404 unknown task id). */
export function parseScoreRequest(text: string, tasks: ReadonlyMap<string, Task>): ScoreRequestItem[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new RequestError(400, `the body is not valid JSON (${(error as Error).message})`, "");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new RequestError(400, "the body must be a JSON object", "");
  const { ids, completions, idField } = pairs(body as Record<string, unknown>);
  return ids.map((id, i) => {
    const task = tasks.get(id);
    const field = idField.endsWith("[].task_id") ? `items[${i}].task_id` : `${idField}[${i}]`;
    if (task === undefined) throw new RequestError(404, `unknown task id '${id}' at ${field}`, field);
    return { task, completion: completions[i] as string };
  });
}
