/**
 * A report (plan or run) as one self-contained HTML file — inline CSS, inline SVG chart, a little
 * inline script, nothing fetched: the facts, summary counts with a bar chart, guard verdicts, every
 * operation with its field diffs, conflicts and remarks. Operations can be filtered by text (product
 * key or field), side, kind and (for a run) outcome; the filter lives in the URL's hash
 * (`report.html#q=FUR-10&side=pipedrive&kind=create&outcome=failed`), so a filtered view can be
 * linked to. Without script every operation shows. All text is escaped.
 */
import * as Model from "./Model.js"

export const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "\"" ? "&quot;" : "&#39;"))

const style = `
:root{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#fff;font-size:14px}
body{margin:2rem auto;max-width:1100px;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .5rem}h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0}dl.facts dt{color:#59636e}dl.facts dd{margin:0}
.counts{display:flex;flex-wrap:wrap;gap:.5rem}.count{border:1px solid #d0d7de;border-radius:6px;padding:.4rem .7rem;min-width:7rem}
.count .n{display:block;font-size:1.4rem;font-weight:600}
.tone-add .n,.tone-good .n{color:#1a7f37}.tone-change .n{color:#9a6700}.tone-remove .n,.tone-bad .n{color:#cf222e}.tone-held .n{color:#8250df}
svg rect.tone-add,svg rect.tone-good{fill:#2da44e}svg rect.tone-change{fill:#d4a72c}svg rect.tone-remove,svg rect.tone-bad{fill:#e5534b}svg rect.tone-held{fill:#a475f9}svg rect.tone-plain{fill:#8c959f}
svg text{font-size:12px;fill:#1f2328}
ul.guards{list-style:none;padding:0}li.guard::before{display:inline-block;width:5.5rem;font-weight:600}
li.guard.ok::before{content:"ok";color:#1a7f37}li.guard.refused::before{content:"REFUSED";color:#cf222e}
form.filters{display:flex;gap:.5rem;flex-wrap:wrap;margin:.5rem 0}form.filters input{flex:1;min-width:14rem;padding:.3rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.25rem .5rem;border-bottom:1px solid #eaeef2}
tbody.op tr.op-head th{background:#f6f8fa;font-weight:normal}tbody.op tr.op-head b{font-family:ui-monospace,monospace}
td.path{font-family:ui-monospace,monospace;white-space:nowrap}td.before{color:#cf222e;text-decoration:line-through}td.after{color:#1a7f37}
td.rule,.why{color:#59636e}.outcome-failed{color:#cf222e;font-weight:600}.outcome-done{color:#1a7f37}.error{color:#cf222e}
p.warning{border-left:4px solid #cf222e;padding:.5rem 1rem;background:#fff5f5}
[hidden]{display:none!important}
`

const script = `
(function(){
  var ops=[].slice.call(document.querySelectorAll("tbody.op"));
  var shown=document.getElementById("shown");
  var inputs={q:document.getElementById("q"),side:document.getElementById("side"),kind:document.getElementById("kind"),outcome:document.getElementById("outcome")};
  function read(){
    var p=new URLSearchParams(location.hash.replace(/^#/,""));
    Object.keys(inputs).forEach(function(k){var el=inputs[k];if(!el)return;var v=p.get(k)||"";
      if(el.tagName==="SELECT"&&![].some.call(el.options,function(o){return o.value===v}))v="";el.value=v;});
  }
  function apply(){
    var q=inputs.q.value.trim().toLowerCase(),n=0;
    ops.forEach(function(op){
      var ok=(!q||op.getAttribute("data-text").indexOf(q)>=0)
        &&["side","kind","outcome"].every(function(k){var el=inputs[k];return !el||!el.value||op.getAttribute("data-"+k)===el.value;});
      op.hidden=!ok;if(ok)n++;
    });
    shown.textContent=n+" of "+ops.length+" operations shown";
  }
  function save(){
    var p=new URLSearchParams();
    Object.keys(inputs).forEach(function(k){var el=inputs[k];if(el&&el.value)p.set(k,el.value);});
    var h=p.toString();history.replaceState(null,"",h?"#"+h:location.pathname+location.search);
  }
  Object.keys(inputs).forEach(function(k){var el=inputs[k];if(el)el.addEventListener(el.tagName==="SELECT"?"change":"input",function(){apply();save();});});
  window.addEventListener("hashchange",function(){read();apply();});
  read();apply();
})();
`

const options = (id: string, all: string, values: ReadonlyArray<readonly [string, string]>) =>
  `<select id="${id}" aria-label="${escape(all)}"><option value="">${escape(all)}</option>${values.map(([v, label]) => `<option value="${escape(v)}">${escape(label)}</option>`).join("")}</select>`

const distinct = (values: ReadonlyArray<string>) => [...new Set(values)].sort()

/** A horizontal bar chart of the counts, as inline SVG. */
const chart = (counts: ReadonlyArray<Model.Count>): string => {
  const bars = counts.filter((c) => c.chart !== false)
  const max = Math.max(1, ...bars.map((c) => c.value))
  const row = 22
  const labelWidth = 200
  const barWidth = 360
  const body = bars
    .map((c, i) => {
      const y = i * row
      const w = c.value === 0 ? 0 : Math.max(2, Math.round((c.value / max) * barWidth))
      return `<g data-bar="${escape(c.name)}"><text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escape(c.label)}</text>` +
        `<rect class="tone-${c.tone}" x="${labelWidth}" y="${y + 4}" width="${w}" height="${row - 8}" rx="2"></rect>` +
        `<text x="${labelWidth + w + 6}" y="${y + 15}">${c.value}</text></g>`
    })
    .join("")
  return `<svg id="chart" role="img" aria-label="summary counts" width="${labelWidth + barWidth + 60}" height="${bars.length * row}" viewBox="0 0 ${labelWidth + barWidth + 60} ${bars.length * row}">${body}</svg>`
}

const item = (it: Model.Item, run: boolean): string => {
  const text = [it.key, ...it.changes.map((c) => c.path)].join(" ").toLowerCase()
  const outcome = it.outcome === undefined ? "" : ` <span class="outcome outcome-${escape(it.outcome)}">[${escape(it.outcome)}]</span>`
  const error = it.error === undefined ? "" : `<br><span class="error">error: ${escape(it.error)}</span>${it.attempts ? ` (${Model.attempts(it.attempts)})` : ""}`
  const head =
    `<tr class="op-head"><th colspan="4"><b>${escape(it.key)}</b> ${escape(Model.describeItem(it))}${outcome} ` +
    `<span class="why">— ${escape(it.reason)}${it.tokens > 0 ? ` [${it.tokens} tokens]` : ""}</span>${error}</th></tr>`
  const rows = it.changes
    .map((c) =>
      `<tr class="change" data-path="${escape(c.path)}"><td class="path">${escape(c.path)}</td>` +
      `<td class="before">${c.before === undefined ? "" : escape(c.before)}</td><td class="after">${escape(c.after)}</td><td class="rule">${escape(c.rule)}</td></tr>`
    )
    .join("")
  const outcomeAttr = run && it.outcome !== undefined ? ` data-outcome="${escape(it.outcome)}"` : ""
  return `<tbody class="op" data-key="${escape(it.key)}" data-side="${it.side}" data-kind="${escape(it.kind)}"${outcomeAttr} data-text="${escape(text)}">${head}${rows}</tbody>`
}

export const render = (report: Model.Report): string => {
  const run = report.kind === "run"
  const parts: Array<string> = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`,
    `<meta name="generator" content="catalog-sync"><title>${escape(report.title)}</title><style>${style}</style></head>`,
    `<body data-report="${report.kind}"><header><h1>${escape(report.title)}</h1><dl class="facts">`,
    ...report.facts.map(([label, text]) => `<dt>${escape(label)}</dt><dd>${escape(text)}</dd>`),
    `</dl></header>`,
    `<section id="summary"><h2>Summary</h2><div class="counts">`,
    ...report.counts.map((c) => `<div class="count tone-${c.tone}" data-count="${escape(c.name)}"><span class="n">${c.value}</span><span class="label">${escape(c.label)}</span></div>`),
    `</div>${chart(report.counts)}</section>`
  ]
  if (report.guards.length > 0) {
    parts.push(
      `<section id="guards"><h2>Guards</h2><ul class="guards">`,
      ...report.guards.map((g) => `<li class="guard ${g.passed ? "ok" : "refused"}" data-guard="${escape(g.name)}">${escape(g.message)}</li>`),
      `</ul></section>`
    )
  }
  const items = report.items
  parts.push(
    `<section id="operations"><h2>${run ? "Operations" : "Changes"}</h2>`,
    `<form class="filters" onsubmit="return false"><input id="q" type="search" placeholder="Filter by product key or field" aria-label="filter">`,
    options("side", "all sides", distinct(items.map((i) => i.side)).map((s) => [s, s === "erp" ? "ERP write-back" : "Pipedrive"] as const)),
    options("kind", "all operations", distinct(items.map((i) => i.kind)).map((k) => [k, k] as const)),
    run ? options("outcome", "all outcomes", distinct(items.flatMap((i) => (i.outcome === undefined ? [] : [i.outcome]))).map((o) => [o, o] as const)) : "",
    `</form><p id="shown">${items.length} of ${items.length} operations shown</p>`,
    `<table id="ops"><thead><tr><th>Field</th><th>Before</th><th>After</th><th>Rule</th></tr></thead>`,
    ...items.map((it) => item(it, run)),
    `</table></section>`
  )
  if (report.conflicts.length > 0) {
    parts.push(
      `<section id="conflicts"><h2>Conflicts held for review</h2><table><thead><tr><th>Product</th><th>Field</th><th>ERP</th><th>Pipedrive</th><th>Last agreed</th></tr></thead><tbody>`,
      ...report.conflicts.map((c) => `<tr class="conflict" data-key="${escape(c.key)}"><td>${escape(c.key)}</td><td class="path">${escape(c.path)}</td><td>${escape(c.erp)}</td><td>${escape(c.pipedrive)}</td><td>${escape(c.base)}</td></tr>`),
      `</tbody></table></section>`
    )
  }
  for (const s of report.sections) {
    parts.push(`<section class="remarks" data-section="${escape(s.name)}"><h2>${escape(s.title)}</h2><ul>`, ...s.lines.map((l) => `<li>${escape(l)}</li>`), `</ul></section>`)
  }
  if (report.warning !== undefined) parts.push(`<p class="warning" id="warning">${escape(report.warning)}</p>`)
  parts.push(`<script>${script}</script></body></html>`)
  return parts.join("\n")
}
