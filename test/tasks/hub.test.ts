import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { NetworkError } from "../../src/errors.js";
import { fetchHubDataset } from "../../src/tasks/hub.js";
import { sourceByName } from "../../src/tasks/sources/index.js";
import { fixture, loadOptions, scratch } from "./fixtures.js";

// A stand-in for the hub on 127.0.0.1: the datasets-server /parquet listing and the file URLs.
let server: Server;
let base = "";
const requests: string[] = [];
const parquet = readFileSync(fixture("kodcode-v1-sample.parquet"));

before(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    if (req.url === "/parquet?dataset=KodCode%2FKodCode-V1") {
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          parquet_files: [
            { dataset: "KodCode/KodCode-V1", config: "default", split: "train", url: `${base}/files/train-0.parquet`, filename: "train-0.parquet", size: parquet.length },
            { dataset: "KodCode/KodCode-V1", config: "default", split: "use_with_caution", url: `${base}/files/caution-0.parquet`, filename: "caution-0.parquet", size: 1 },
          ],
        }),
      );
    } else if (req.url === "/files/train-0.parquet") res.end(parquet);
    else {
      res.statusCode = 404;
      res.end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.TESTTUNE_HF_DATASETS_SERVER = base;
  process.env.TESTTUNE_CACHE_DIR = scratch("testtune-cache-");
});

after(() => {
  server.close();
  delete process.env.TESTTUNE_HF_DATASETS_SERVER;
  delete process.env.TESTTUNE_CACHE_DIR;
});

test("without --input a source downloads its split's parquet files once, then reads the cache", async () => {
  const first = await sourceByName("kodcode").load(loadOptions(undefined));
  assert.equal(first.tasks.length, 2);
  assert.ok(!requests.includes("/files/caution-0.parquet"), "only the configured split is fetched");
  const downloads = requests.filter((r) => r.startsWith("/files/")).length;
  await sourceByName("kodcode").load(loadOptions(undefined));
  assert.equal(requests.filter((r) => r.startsWith("/files/")).length, downloads, "second load comes from the cache");
});

test("an unreachable hub is a NetworkError that says to download the file and pass --input", async () => {
  process.env.TESTTUNE_HF_DATASETS_SERVER = "http://127.0.0.1:9";
  try {
    await assert.rejects(fetchHubDataset({ repo: "google-research-datasets/mbpp", config: "full" }, () => undefined), (e: unknown) => e instanceof NetworkError && /--input/.test(e.hint ?? "") && /google-research-datasets\/mbpp/.test(e.message));
  } finally {
    process.env.TESTTUNE_HF_DATASETS_SERVER = base;
  }
  await assert.rejects(fetchHubDataset({ repo: "someone/missing", config: "default" }, () => undefined), (e: unknown) => e instanceof NetworkError && /HTTP 404/.test(e.message));
});
