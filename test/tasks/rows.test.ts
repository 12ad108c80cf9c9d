import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { DataError } from "../../src/errors.js";
import { Fields } from "../../src/tasks/fields.js";
import { readRows, type RawRow } from "../../src/tasks/rows.js";
import { fixture, scratch } from "./fixtures.js";

async function all(path: string): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  for await (const row of readRows(path)) rows.push(row);
  return rows;
}

test("jsonl, jsonl.gz and json arrays give the same rows, located by line or row", async () => {
  const dir = scratch();
  const text = readFileSync(fixture("mbpp-sample.jsonl"), "utf8");
  writeFileSync(join(dir, "a.jsonl.gz"), gzipSync(text));
  writeFileSync(join(dir, "b.json"), JSON.stringify(text.trim().split("\n").map((l) => JSON.parse(l))));
  const plain = await all(fixture("mbpp-sample.jsonl"));
  const gz = await all(join(dir, "a.jsonl.gz"));
  const json = await all(join(dir, "b.json"));
  assert.equal(plain.length, 5);
  assert.deepEqual(gz.map((r) => r.value), plain.map((r) => r.value));
  assert.deepEqual(json.map((r) => r.value), plain.map((r) => r.value));
  assert.equal(plain[2]?.location, "line 3");
  assert.equal(json[2]?.location, "row 3");
});

test("parquet rows come back as plain objects, int64 as numbers, lists of structs as arrays", async () => {
  const rows = await all(fixture("kodcode-v1-sample.parquet"));
  assert.equal(rows.length, 3);
  const first = rows[0]?.value as Record<string, unknown>;
  assert.equal(first.question_id, "Prefill_1_I");
  assert.equal(first.gpt_pass_trial_num, 2);
  assert.deepEqual(first.gpt_pass_sequence, [1, 1, 0]);
  assert.equal((first.test_info as { function_name: string }[])[0]?.function_name, "add");
  assert.equal(rows[1]?.location, "row 2");
  JSON.stringify(first); // no BigInt left
});

test("a directory reads its dataset files in name order", async () => {
  const dir = scratch();
  writeFileSync(join(dir, "train-00001.jsonl"), '{"n": 2}\n');
  writeFileSync(join(dir, "train-00000.jsonl"), '{"n": 1}\n');
  writeFileSync(join(dir, "README.md"), "not data");
  assert.deepEqual((await all(dir)).map((r) => (r.value as { n: number }).n), [1, 2]);
});

test("a truncated gzip names the file and says to download it again", async () => {
  const dir = scratch();
  const gz = gzipSync(readFileSync(fixture("mbpp-sample.jsonl")));
  writeFileSync(join(dir, "cut.jsonl.gz"), gz.subarray(0, Math.floor(gz.length / 2)));
  await assert.rejects(all(join(dir, "cut.jsonl.gz")), (e: unknown) => e instanceof DataError && e.message.includes("cut.jsonl.gz") && /truncated|corrupt/.test(e.hint ?? ""));
});

test("a corrupt parquet file, a missing path and an unknown extension are DataErrors naming the file", async () => {
  const dir = scratch();
  writeFileSync(join(dir, "bad.parquet"), "PAR1 this is not parquet PAR1");
  writeFileSync(join(dir, "data.csv"), "a,b\n");
  await assert.rejects(all(join(dir, "bad.parquet")), (e: unknown) => e instanceof DataError && e.message.includes("bad.parquet") && /Parquet/.test(e.message));
  await assert.rejects(all(join(dir, "missing.jsonl")), (e: unknown) => e instanceof DataError && /not found/.test(e.message));
  await assert.rejects(all(join(dir, "data.csv")), (e: unknown) => e instanceof DataError && /unsupported file type/.test(e.message));
});

test("field checks name the file, the line and the column", () => {
  const row: RawRow = { file: "mbpp.jsonl", location: "line 7", value: { task_id: 3, text: 5, test_list: ["ok", 2] } };
  const f = new Fields(row, "an MBPP file");
  assert.equal(f.id("task_id"), "3");
  assert.throws(() => f.str("code"), (e: unknown) => e instanceof DataError && e.message === "mbpp.jsonl line 7: column 'code': missing (the row has: task_id, text, test_list)");
  assert.throws(() => f.str("text"), (e: unknown) => e instanceof DataError && /line 7: column 'text': expected a string, got number 5/.test(e.message) && e.hint === "is this an MBPP file?");
  assert.throws(() => f.strList("test_list"), /column 'test_list': item 1: expected a string/);
  assert.throws(() => new Fields({ file: "x.jsonl", location: "line 1", value: [1, 2] }, "a file"), /expected an object with named columns, got a list/);
});
