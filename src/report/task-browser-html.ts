/**
 * The per-task browser in report.html: the data as an inline JSON block and a small inline
 * script that lists, searches and filters the tasks and shows one task's code and each model's
 * best and worst sample. Everything from the data is inserted as text (never as markup): the
 * samples are model output.
 */
import { escapeXml } from "./svg.js";
import type { BrowserData } from "./task-browser.js";

export const BROWSER_CSS = `
.tb-bar{display:flex;gap:.5em;flex-wrap:wrap;align-items:center;margin:.5em 0}.tb-bar input{flex:1;min-width:14em;padding:4px}
.tb{display:grid;grid-template-columns:16em 1fr;gap:1em;align-items:start}
#task-list{max-height:40em;overflow:auto;border:1px solid #ccc}
#task-list button{display:block;width:100%;text-align:left;border:0;border-bottom:1px solid #eee;background:#fff;padding:4px 6px;cursor:pointer;font:inherit;font-size:90%}
#task-list button.on{background:#e8f0fb}#task-list .n{float:right;color:#666}
.tb-models{display:grid;grid-template-columns:repeat(auto-fit,minmax(18em,1fr));gap:.8em}
.tb-sample{border:1px solid #ddd;border-radius:4px;padding:.4em .6em;margin:.4em 0}
pre{background:#f7f7f7;padding:.5em;overflow:auto;font-size:85%;max-height:24em;white-space:pre}
pre .ln{color:#999;user-select:none}pre .hit{background:#fde2e1}
.badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:85%;color:#fff;background:#888}.badge.ok{background:#59a14f}.badge.bad{background:#e15759}
.missed{font-size:90%;margin:.3em 0;padding-left:1.2em}.missed code{background:#fde2e1}
`;

/** Runs in the page; reads #task-data. ES2017, no dependencies. */
const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById("task-data").textContent);
  var list = document.getElementById("task-list"), detail = document.getElementById("task-detail");
  var search = document.getElementById("task-search"), category = document.getElementById("task-category");
  var filter = document.getElementById("task-filter"), count = document.getElementById("task-count");
  var current = null;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function validModels(t) { return data.models.filter(function (m) { return t.models[m] && t.models[m].valid > 0; }).length; }
  function shown(t) {
    var q = search.value.trim().toLowerCase();
    if (q && (t.id + " " + (t.category || "") + " " + t.code).toLowerCase().indexOf(q) < 0) return false;
    if (category.value && t.category !== category.value) return false;
    var v = validModels(t), n = Object.keys(t.models).length;
    if (filter.value === "all" && v !== n) return false;
    if (filter.value === "none" && v !== 0) return false;
    if (filter.value === "disagree" && (v === 0 || v === n)) return false;
    return true;
  }
  function renderList() {
    list.textContent = "";
    var visible = data.tasks.filter(shown);
    visible.forEach(function (t) {
      var b = el("button", t === current ? "on" : "", t.id);
      b.setAttribute("data-task", t.id);
      b.appendChild(el("span", "n", data.models.map(function (m) { return t.models[m] ? t.models[m].valid + "/" + t.models[m].n : "-"; }).join(" ")));
      b.addEventListener("click", function () { show(t); });
      list.appendChild(b);
    });
    count.textContent = visible.length + " of " + data.tasks.length + " tasks";
  }
  function code(text, hits) {
    var pre = el("pre");
    text.replace(/\\n$/, "").split("\\n").forEach(function (line, i) {
      var row = el("span", hits[i + 1] ? "hit" : "");
      row.appendChild(el("span", "ln", String(i + 1).padStart(3, " ") + "  "));
      row.appendChild(document.createTextNode(line + "\\n"));
      pre.appendChild(row);
    });
    return pre;
  }
  function sample(label, s, codeLines) {
    var box = el("div", "tb-sample");
    box.setAttribute("data-sample", label);
    var head = el("div");
    head.appendChild(el("b", "", label + " (sample " + (s.sample_index === null ? "?" : s.sample_index) + ") "));
    head.appendChild(el("span", "badge " + (s.valid ? "ok" : "bad"), s.valid ? "valid" : s.status));
    var facts = " reward " + (s.reward === null ? "n/a" : s.reward.toFixed(2));
    if (s.mutants) facts += ", mutants killed " + s.mutants.killed + "/" + s.mutants.total;
    head.appendChild(document.createTextNode(facts));
    box.appendChild(head);
    if (s.detail) box.appendChild(el("pre", "detail", s.detail));
    if (s.missed.length > 0) {
      box.appendChild(el("div", "", "Mutants it missed:"));
      var ul = el("ul", "missed");
      s.missed.forEach(function (m) {
        var li = el("li", "", "line " + m.line + " (" + m.operator + "): ");
        li.appendChild(el("code", "", (codeLines[m.line - 1] || "").trim()));
        if (m.mutated !== undefined) { li.appendChild(document.createTextNode(" \\u2192 ")); li.appendChild(el("code", "", m.mutated)); }
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    box.appendChild(el("pre", "completion", s.completion));
    return box;
  }
  function show(t) {
    current = t;
    // the address names the open task, so that a link opens the report on it
    history.replaceState(null, "", "#task=" + encodeURIComponent(t.id));
    detail.textContent = "";
    detail.appendChild(el("h3", "", t.id + (t.category ? " (" + t.category + ")" : "")));
    var hits = {};
    data.models.forEach(function (m) { var r = t.models[m]; if (r) [r.best, r.worst].forEach(function (s) { if (s) s.missed.forEach(function (x) { hits[x.line] = true; }); }); });
    detail.appendChild(el("div", "", "The code under test (lines a shown sample's missed mutant changes are marked):"));
    detail.appendChild(code(t.code, hits));
    var cols = el("div", "tb-models");
    var lines = t.code.split("\\n");
    data.models.forEach(function (m) {
      var r = t.models[m];
      var col = el("div");
      col.setAttribute("data-model", m);
      col.appendChild(el("h4", "", m + (r ? ": " + r.valid + " of " + r.n + " samples valid" : ": no samples")));
      if (r) {
        col.appendChild(sample(r.worst ? "best" : "only sample", r.best, lines));
        if (r.worst) col.appendChild(sample("worst", r.worst, lines));
      }
      cols.appendChild(col);
    });
    detail.appendChild(cols);
    renderList();
  }
  var categories = [];
  data.tasks.forEach(function (t) { if (t.category && categories.indexOf(t.category) < 0) categories.push(t.category); });
  categories.sort().forEach(function (c) { var o = el("option", "", c); o.value = c; category.appendChild(o); });
  category.hidden = categories.length === 0;
  [search, category, filter].forEach(function (e) { e.addEventListener("input", renderList); });
  var linked = /^#task=(.*)$/.exec(location.hash);
  var first = linked && data.tasks.filter(function (t) { return t.id === decodeURIComponent(linked[1]); })[0];
  if (first || data.tasks.length > 0) show(first || data.tasks[0]); else renderList();
})();
`;

/** JSON that is safe inside a script element: no "<" can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

export function taskBrowserSection(data: BrowserData): string {
  const l = data.limits;
  const cut = `Long text is cut to keep this page small: code after ${l.code} characters, each sample after ${l.completion}, each error after ${l.detail}${
    data.tasks_left_out > 0 ? `; ${data.tasks_left_out} tasks after the first ${l.tasks} are left out (eval/<model>/scores.jsonl has them all)` : ""
  }.`;
  return `<h2>Tasks</h2>
<p class="meta">Each task's code and, for each model, its best and worst sample (valid first, then reward, mutation score and outcome): the outcome, the failing assertion or error, and the mutants a passing file let survive (the reference line and the mutant's version of it). The counts in the list are valid/samples per model (${escapeXml(data.models.join(", "))}). ${escapeXml(cut)}</p>
<div class="tb-bar"><input id="task-search" type="search" placeholder="search task ids, categories and code" aria-label="search tasks">
<select id="task-category" aria-label="category"><option value="">every category</option></select>
<select id="task-filter" aria-label="outcome filter"><option value="">every task</option><option value="all">every model has a valid sample</option><option value="none">no model has a valid sample</option><option value="disagree">models disagree</option></select>
<span id="task-count" class="meta"></span></div>
<div class="tb"><div id="task-list"></div><div id="task-detail"></div></div>
<script type="application/json" id="task-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>`;
}
