/**
 * Opens report.html in headless Chromium (the system's `chromium`, driven over the DevTools
 * pipe) and checks what a person sees: no console error, no uncaught exception, no request
 * leaving the file; charts drawn with data; the task browser lists, searches and opens tasks
 * with both models' samples. Takes a full-page screenshot (TESTTUNE_SCREENSHOT_DIR keeps it).
 * Skips, saying why, where Chromium is not installed.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { writeReport } from "../../src/report/build.js";
import { FIXTURE_MODELS, FIXTURE_TASKS, HOSTILE, writeEvalDir } from "./eval-dir-fixture.js";
import { findChromium, HeadlessChromium } from "./headless-chromium.js";

const root = mkdtempSync(join(tmpdir(), "testtune-browser-"));
after(() => rmSync(root, { recursive: true, force: true }));

const chromium = findChromium();

test("report.html renders in headless Chromium: charts, the task browser, no errors", { timeout: 120_000 }, async (t) => {
  if (chromium === null) {
    const given = process.env.TESTTUNE_CHROMIUM;
    t.skip(given ? `TESTTUNE_CHROMIUM=${given} does not exist` : "chromium is not installed: apt-get install chromium (or set TESTTUNE_CHROMIUM to a Chromium or Chrome binary)");
    return;
  }
  const dir = writeEvalDir(join(root, "eval"));
  const { html } = await writeReport({ evalDir: dir, outDir: dir });
  const browser = HeadlessChromium.launch(chromium, join(root, "profile"));
  try {
    const problems: string[] = [];
    const outside: string[] = [];
    browser.onEvent((e) => {
      if (e.method === "Runtime.exceptionThrown") problems.push(`exception: ${JSON.stringify(e.params.exceptionDetails)}`);
      if (e.method === "Runtime.consoleAPICalled" && ["error", "assert", "warning"].includes(e.params.type as string)) problems.push(`console.${String(e.params.type)}: ${JSON.stringify(e.params.args)}`);
      if (e.method === "Log.entryAdded" && (e.params.entry as { level: string }).level === "error") problems.push(`log: ${JSON.stringify(e.params.entry)}`);
      if (e.method === "Network.requestWillBeSent") {
        const url = (e.params.request as { url: string }).url;
        if (!/^(file|data|about):/.test(url)) outside.push(url);
      }
    });
    const page = await browser.newPage();
    for (const domain of ["Runtime", "Log", "Page", "Network"]) await browser.send(`${domain}.enable`, {}, page);
    await browser.send("Emulation.setDeviceMetricsOverride", { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false }, page);
    const loaded = browser.waitFor("Page.loadEventFired", page);
    await browser.send("Page.navigate", { url: pathToFileURL(html).href }, page);
    await loaded;

    // charts: each SVG drawn, wide, with marks; the ones this fixture must have are there
    const charts = await browser.evaluate<{ label: string; marks: number; width: number }[]>(
      page,
      `Array.from(document.querySelectorAll("svg")).map(s => ({ label: s.getAttribute("aria-label"), marks: s.querySelectorAll("rect,path,circle").length, width: s.getBoundingClientRect().width }))`,
    );
    for (const wanted of [/^pass@k, valid rate/, /^pass@k by k/, /^Outcomes of all samples/, /^Mutation scores of valid files/, /^Paired differences/]) {
      const chart = charts.find((c) => wanted.test(c.label));
      assert.ok(chart !== undefined, `a chart matching ${wanted} (charts: ${charts.map((c) => c.label).join("; ")})`);
      assert.ok(chart.marks > 2 && chart.width > 300, `${chart.label}: ${chart.marks} marks, ${chart.width}px wide`);
    }
    const outcomeBars = await browser.evaluate<string[]>(page, `Array.from(document.querySelectorAll("svg[aria-label^='Outcomes'] rect title")).map(e => e.textContent)`);
    assert.ok(outcomeBars.some((b) => /^grpo timeout: 1 \(16\.7%\)$/.test(b)), outcomeBars.join("; "));

    // the browser lists every task and opens the first one
    const listed = await browser.evaluate<string[]>(page, `Array.from(document.querySelectorAll("#task-list button")).map(b => b.getAttribute("data-task"))`);
    assert.deepEqual(listed, FIXTURE_TASKS.map((task) => task.id));
    assert.equal(await browser.evaluate<string>(page, `document.querySelector("#task-detail h3").textContent`), "tt/add (arithmetic)");

    // opening a task shows both models' best and worst samples, failures and missed mutants
    await browser.evaluate(page, `document.querySelector("#task-list button[data-task='tt/neg']").click()`);
    const shown = await browser.evaluate<{ title: string; models: { model: string; samples: { label: string; text: string }[] }[] }>(
      page,
      `({ title: document.querySelector("#task-detail h3").textContent,
          models: Array.from(document.querySelectorAll("#task-detail [data-model]")).map(c => ({ model: c.getAttribute("data-model"),
            samples: Array.from(c.querySelectorAll("[data-sample]")).map(s => ({ label: s.getAttribute("data-sample"), text: s.innerText })) })) })`,
    );
    assert.equal(shown.title, "tt/neg (arithmetic)");
    assert.deepEqual(shown.models.map((m) => m.model), [...FIXTURE_MODELS]);
    for (const m of shown.models) assert.deepEqual(m.samples.map((s) => s.label), ["best", "worst"], m.model);
    const [sft, grpo] = shown.models;
    assert.match(sft?.samples[0]?.text ?? "", /collection_error[\s\S]*cannot import name 'negate'/, "a collection error beats a syntax error");
    assert.ok(sft?.samples[1]?.text.includes(HOSTILE), "model output is shown as text");
    assert.match(grpo?.samples[0]?.text ?? "", /valid[\s\S]*mutants killed 1\/1/);
    assert.match(grpo?.samples[1]?.text ?? "", /timeout[\s\S]*longer than 10 s/);
    assert.notEqual(await browser.evaluate<string>(page, "document.title"), "pwned");

    await browser.evaluate(page, `document.querySelector("#task-list button[data-task='tt/add']").click()`);
    const missed = await browser.evaluate<string[]>(page, `Array.from(document.querySelectorAll("#task-detail [data-model='sft'] .missed li")).map(li => li.textContent)`);
    assert.deepEqual(missed, ["line 2 (compare:<-><=): if a < 0: → if a <= 0:"]);
    assert.equal(await browser.evaluate<number>(page, `document.querySelectorAll("#task-detail pre .hit").length`), 1, "the mutated line is marked in the code");

    // search and filters narrow the list
    const visible = async (script: string): Promise<string[]> =>
      browser.evaluate<string[]>(page, `(() => { ${script}; return Array.from(document.querySelectorAll("#task-list button")).map(b => b.getAttribute("data-task")); })()`);
    const fire = (id: string, value: string): string => `{ const e = document.getElementById("${id}"); e.value = ${JSON.stringify(value)}; e.dispatchEvent(new Event("input")); }`;
    assert.deepEqual(await visible(fire("task-search", "big")), ["tt/pick"], "search looks into the code");
    assert.deepEqual(await visible(`${fire("task-search", "")}; ${fire("task-category", "arithmetic")}`), ["tt/add", "tt/neg"]);
    assert.deepEqual(await visible(`${fire("task-category", "")}; ${fire("task-filter", "disagree")}`), ["tt/neg"], "only grpo has a valid sample for tt/neg");
    assert.deepEqual(await visible(fire("task-filter", "none")), ["tt/pick"]);
    assert.match(await browser.evaluate<string>(page, `document.getElementById("task-count").textContent`), /^1 of 3 tasks$/);
    await visible(fire("task-filter", ""));
    assert.equal(await browser.evaluate<string>(page, "location.hash"), "#task=tt%2Fadd", "the address names the open task");

    // a link with a task opens the report on that task (in a second page: a fragment change alone loads nothing)
    const linked = await browser.newPage();
    for (const domain of ["Runtime", "Log", "Page"]) await browser.send(`${domain}.enable`, {}, linked);
    const linkedLoad = browser.waitFor("Page.loadEventFired", linked);
    await browser.send("Page.navigate", { url: `${pathToFileURL(html).href}#task=${encodeURIComponent("tt/pick")}` }, linked);
    await linkedLoad;
    assert.equal(await browser.evaluate<string>(linked, `document.querySelector("#task-detail h3").textContent`), "tt/pick (branches)");

    const metrics = await browser.send("Page.getLayoutMetrics", {}, page);
    const size = metrics.cssContentSize as { width: number; height: number };
    const shot = await browser.send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true, clip: { x: 0, y: 0, width: size.width, height: size.height, scale: 1 } }, page);
    const png = Buffer.from(shot.data as string, "base64");
    assert.equal(png.subarray(1, 4).toString("latin1"), "PNG");
    const shotDir = process.env.TESTTUNE_SCREENSHOT_DIR ?? root;
    mkdirSync(shotDir, { recursive: true });
    writeFileSync(join(shotDir, "report.png"), png);
    t.diagnostic(`screenshot: ${join(shotDir, "report.png")} (${png.length} bytes, ${size.width}x${Math.round(size.height)} CSS px)`);

    assert.deepEqual(problems, [], "no console error or uncaught exception");
    assert.deepEqual(outside, [], "nothing is requested outside the file");
    assert.ok(readFileSync(html, "utf8").length < 200_000);
  } finally {
    await browser.close();
  }
});
