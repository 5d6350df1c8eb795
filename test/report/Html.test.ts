import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { join } from "node:path"
import * as Json from "../../src/report/Json.js"
import * as Model from "../../src/report/Model.js"
import { runCli } from "../cli/run.js"
import { demoProject } from "../cli/support.js"
import { dumpDom, operations, textOf } from "./support.js"

describe("the HTML plan report, rendered in headless Chromium", () => {
  const dir = demoProject()
  const json = runCli(["plan", "--format", "json"], { cwd: dir })
  const html = runCli(["plan", "--format", "html", "--out", "plan.html"], { cwd: dir })
  const file = join(dir, "plan.html")

  it("shows the summary counts, the chart, the guards and every operation", () => {
    assert.strictEqual(json.code, 0, json.stderr)
    assert.strictEqual(html.code, 0, html.stderr)
    const plan = Effect.runSync(Json.decodePlanReport(json.stdout)).plan
    const dom = dumpDom(file)
    const count = (name: string) => new RegExp(`data-count="${name}"><span class="n">(\\d+)</span>`).exec(dom)?.[1]
    assert.strictEqual(count("pipedriveCreates"), String(plan.totals.pipedriveCreates))
    assert.strictEqual(count("pipedriveUpdates"), String(plan.totals.pipedriveUpdates))
    assert.strictEqual(count("erpUpdates"), String(plan.totals.erpUpdates))
    assert.strictEqual(count("tokens"), String(plan.totals.tokens))
    assert.match(dom, /<svg id="chart"[^>]*>/)
    assert.strictEqual([...dom.matchAll(/<g data-bar="/g)].length, 8)
    assert.strictEqual([...dom.matchAll(/<li class="guard ok"/g)].length, plan.guards.filter((g) => g.passed).length)
    const ops = operations(dom)
    assert.strictEqual(ops.length, plan.operations.length)
    assert.isTrue(ops.every((o) => !("hidden" in o)))
    assert.strictEqual(textOf(dom, "shown"), `${ops.length} of ${ops.length} operations shown`)
  })

  it("shows a product's field diff: path, before, after", () => {
    const plan = Effect.runSync(Json.decodePlanReport(json.stdout)).plan
    const op = plan.operations.find((o) => o.side === "pipedrive" && o.kind === "update" && o.changes.some((c) => c.path === "prices.EUR.price"))!
    const dom = dumpDom(file)
    const body = new RegExp(`<tbody class="op" data-key="${op.key}"[^>]*>(.*?)</tbody>`, "s").exec(dom)?.[1] ?? ""
    assert.include(body, `update in Pipedrive (#${op.pipedriveId})`)
    const row = /<tr class="change" data-path="prices\.EUR\.price">(.*?)<\/tr>/s.exec(body)?.[1] ?? ""
    const cell = (c: string) => new RegExp(`<td class="${c}">([^<]*)</td>`).exec(row)?.[1]
    const change = op.changes.find((c) => c.path === "prices.EUR.price")!
    assert.strictEqual(cell("before"), Model.showValue(change.before))
    assert.strictEqual(cell("after"), Model.showValue(change.after))
    assert.match(cell("after") ?? "", /^\d+(\.\d+)?$/)
    assert.notStrictEqual(cell("before"), cell("after"))
  })

  it("filters by the URL hash: text, side and kind", () => {
    const plan = Effect.runSync(Json.decodePlanReport(json.stdout)).plan
    const key = plan.operations[0]!.key
    const byKey = operations(dumpDom(file, `#q=${encodeURIComponent(key.toLowerCase())}`))
    const visible = byKey.filter((o) => !("hidden" in o))
    assert.deepStrictEqual(visible.map((o) => o["data-key"]), plan.operations.filter((o) => o.key.toLowerCase().includes(key.toLowerCase())).map((o) => o.key))
    const dom = dumpDom(file, "#side=erp&kind=update")
    const erpUpdates = operations(dom).filter((o) => !("hidden" in o))
    assert.strictEqual(erpUpdates.length, plan.totals.erpUpdates)
    assert.isTrue(erpUpdates.every((o) => o["data-side"] === "erp" && o["data-kind"] === "update"))
    assert.strictEqual(textOf(dom, "shown"), `${plan.totals.erpUpdates} of ${plan.operations.length} operations shown`)
  })
})
