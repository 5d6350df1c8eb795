/**
 * The ERP write-back through the built CLI against the bundled emulator: a value a Windows-1252
 * file cannot hold is planned as a problem of its own (refused or replaced), never recorded as
 * written, and never holds back the other rows; a formula neutralised on the way out comes back
 * through an ERP import as the same value, so the round trip is no change.
 */
import { assert, describe, it } from "@effect/vitest"
import iconv from "iconv-lite"
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Seed from "../../src/emulator/Seed.js"
import { runCliAsync } from "./run.js"
import { repo } from "./support.js"

interface JsonPlan {
  readonly operations: ReadonlyArray<{ key: string; side: string; kind: string; changes: ReadonlyArray<{ path: string; after: unknown }> }>
  readonly conflicts: ReadonlyArray<unknown>
  readonly notes: ReadonlyArray<unknown>
  readonly writeBackProblems: ReadonlyArray<{ key: string; path: string; column: string; characters: ReadonlyArray<string>; resolution: string; written?: string }>
  readonly totals: { readonly pendingWriteBacks: number; readonly erpUpdates: number }
}

interface Account {
  products: Array<{ code: string | null; name: string; description: string | null; update_time: string }>
}

const project = (catalog: string, mapping: string, config: (writeBack: string) => string) => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-writeback-"))
  writeFileSync(join(dir, "m.ts"), mapping)
  /** The write-back settings; `refuse` is the default. */
  const configure = (unencodable?: "refuse" | "replace") =>
    writeFileSync(join(dir, "sync.config.ts"), config(`writeBack: { path: "./back.csv"${unencodable === undefined ? "" : `, unencodable: "${unencodable}"`} }`))
  configure()
  writeFileSync(join(dir, "emulator-account.json"), JSON.stringify(Seed.empty))
  // Without blocking the test worker: it keeps answering vitest while the runs go on.
  const cli = (...args: Array<string>) => runCliAsync(args, { cwd: dir })
  const plan = async (): Promise<JsonPlan> => {
    const r = await cli("plan", "--format", "json")
    assert.strictEqual(r.code, 0, r.stderr)
    return (JSON.parse(r.stdout) as { plan: JsonPlan }).plan
  }
  const accountFile = join(dir, "emulator-account.json")
  /** Sales edit products in Pipedrive (the account kept beside the state between runs). */
  const edit = (f: (p: Account["products"][number]) => void) => {
    const account = JSON.parse(readFileSync(accountFile, "utf8")) as Account
    const later = new Date(Date.now() + 2000).toISOString().replace(/\.\d{3}Z$/, "Z")
    for (const p of account.products) {
      const before = JSON.stringify(p)
      f(p)
      if (JSON.stringify(p) !== before) p.update_time = later
    }
    writeFileSync(accountFile, JSON.stringify(account))
  }
  return { dir, cli, plan, edit, configure, catalog: join(dir, catalog), back: join(dir, "back.csv") }
}

describe("write-back of a value the ERP file cannot hold (built CLI, emulator)", () => {
  it("is refused on its own row, planned again, never pending, and the other rows are written; replace writes ? and the import ends it", async () => {
    // A real ISO-8859-1 export without a header row (test/fixtures/csv/SOURCES.md), read as Windows-1252.
    const p = project(
      "artikel.csv",
      `export default { key: { erp: "nr" }, fields: { name: { erp: "name", direction: "both", owner: "erp" }, "prices.EUR.price": { erp: "preis", type: "decimal" } } }\n`,
      (writeBack) =>
        `export default { erp: { path: "./artikel.csv", dialect: { encoding: "windows-1252", delimiter: ";", header: ["nr", "name", "preis", "bestand"], decimal: "point" }, ${writeBack} }, mapping: "./m.ts", state: "./state.db" }\n`
    )
    copyFileSync(join(repo, "test", "fixtures", "csv", "de_wit_a_artikel_latin1_noheader.csv"), p.catalog)
    const first = await p.cli("sync", "--yes", "--force")
    assert.strictEqual(first.code, 0, first.stdout + first.stderr)

    p.edit((product) => {
      if (product.code === "1") product.name = "Textmarker 😀"
      if (product.code === "2") product.name = "Tipp-Ex Korrektur"
      if (product.code === "15") product.name = "Feinliner grün ✓"
    })
    const planned = await p.plan()
    assert.deepStrictEqual(
      planned.writeBackProblems.map((w) => [w.key, w.path, w.column, w.characters, w.resolution]),
      [["1", "name", "name", ["😀"], "refused"], ["15", "name", "name", ["✓"], "refused"]]
    )
    assert.deepStrictEqual(planned.operations.filter((o) => o.side === "erp").map((o) => [o.key, o.changes.map((c) => c.after)]), [["2", ["Tipp-Ex Korrektur"]]])
    const table = await p.cli("plan")
    assert.include(table.stdout, `1 name: not written back: "Textmarker 😀" holds "😀", which windows-1252 cannot encode`)

    const sync = await p.cli("sync", "--yes", "--force", "--json")
    assert.strictEqual(sync.code, 0, sync.stdout + sync.stderr)
    const summary = JSON.parse(sync.stdout) as { writeBack: { pending: number; error?: string; notWritten: ReadonlyArray<{ key: string; message: string }> } }
    assert.isUndefined(summary.writeBack.error)
    assert.strictEqual(summary.writeBack.pending, 1)
    assert.deepStrictEqual(summary.writeBack.notWritten.map((n) => n.key), ["1", "15"])
    // The plain edit is written, in the file's encoding; the refused values are not.
    assert.strictEqual(iconv.decode(readFileSync(p.back), "windows-1252"), "2;Tipp-Ex Korrektur;1.65;1\n")

    const status = await p.cli("status", "--json")
    const pending = (JSON.parse(status.stdout) as { pendingWritebacks: ReadonlyArray<{ key: string; field: string }> }).pendingWritebacks
    assert.deepStrictEqual(pending.map((w) => [w.key, w.field]), [["2", "name"]])
    // Still planned, on its own, until it can be written; not "written back earlier".
    const again = await p.plan()
    assert.deepStrictEqual(again.writeBackProblems.map((w) => [w.key, w.resolution]), [["1", "refused"], ["15", "refused"]])
    assert.strictEqual(again.totals.pendingWriteBacks, 1)
    assert.deepStrictEqual(again.operations, [])
    // Nothing to write, but a person must decide: exit 5, not 0.
    const attention = await p.cli("plan", "--detailed-exitcode")
    assert.strictEqual(attention.code, 5, attention.stdout + attention.stderr)

    // The user decides: replace what the file cannot hold.
    p.configure("replace")
    const replacing = await p.plan()
    assert.deepStrictEqual(replacing.writeBackProblems.map((w) => [w.key, w.resolution, w.written]), [["1", "replaced", "Textmarker ?"], ["15", "replaced", "Feinliner grün ?"]])
    const replaced = await p.cli("sync", "--yes", "--force")
    assert.strictEqual(replaced.code, 0, replaced.stdout + replaced.stderr)
    assert.include(replaced.stdout, `1 name: "Textmarker 😀" holds "😀", which windows-1252 cannot encode: written as "Textmarker ?"`)
    const back = iconv.decode(readFileSync(p.back), "windows-1252")
    assert.strictEqual(back, "1;Textmarker ?;0.99;1\n2;Tipp-Ex Korrektur;1.65;1\n15;Feinliner grün ?;0.99;76\n")
    // Waiting for the import: pending, nothing new to write.
    const waiting = await p.plan()
    assert.deepStrictEqual([waiting.operations, waiting.writeBackProblems, waiting.totals.pendingWriteBacks], [[], [], 3])

    // The ERP imports the write-back: the catalog now holds the written rows.
    const rows = new Map(back.trimEnd().split("\n").map((l) => [l.split(";")[0], l]))
    const catalog = iconv.decode(readFileSync(p.catalog), "latin1").split("\n").map((l) => rows.get(l.split(";")[0]) ?? l).join("\n")
    writeFileSync(p.catalog, iconv.encode(catalog, "windows-1252"))
    const sync3 = await p.cli("sync", "--yes", "--force")
    assert.strictEqual(sync3.code, 0, sync3.stdout + sync3.stderr)
    const settled = await p.plan()
    assert.deepStrictEqual([settled.operations, settled.writeBackProblems, settled.conflicts, settled.notes, settled.totals.pendingWriteBacks], [[], [], [], [], 0])
    const detailed = await p.cli("plan", "--detailed-exitcode")
    assert.strictEqual(detailed.code, 0, detailed.stdout)
  }, 300_000)
})

describe("write-back of a formula (built CLI, emulator)", () => {
  it("comes back through an ERP import as the same value: no conflict, no change", async () => {
    const p = project(
      "c.csv",
      `export default { key: { erp: "sku" }, fields: { name: { erp: "name" }, description: { erp: "description", direction: "both", owner: "erp" } } }\n`,
      (writeBack) => `export default { erp: { path: "./c.csv", ${writeBack} }, mapping: "./m.ts", state: "./state.db" }\n`
    )
    writeFileSync(p.catalog, "sku,name,description\nA1,Chair,Plain\nA2,Table,Wood\nA3,Stool,Old\n")
    const first = await p.cli("sync", "--yes", "--force")
    assert.strictEqual(first.code, 0, first.stdout + first.stderr)
    const formula = `=HYPERLINK("http://evil.example","click")`
    p.edit((product) => {
      if (product.code === "A1") product.description = formula
      if (product.code === "A2") product.description = "'=SUM(A1:A2)"
      if (product.code === "A3") product.description = "-minus, not a number"
    })
    const sync = await p.cli("sync", "--yes", "--force")
    assert.strictEqual(sync.code, 0, sync.stdout + sync.stderr)
    const back = readFileSync(p.back, "utf8")
    assert.strictEqual(back, `sku,description\nA1,"'=HYPERLINK(""http://evil.example"",""click"")"\nA2,''=SUM(A1:A2)\nA3,"'-minus, not a number"\n`)

    // The ERP imports the written cells as they are.
    const written = new Map(back.trimEnd().split("\n").slice(1).map((l) => [l.slice(0, 2), l.slice(3)]))
    const catalog = readFileSync(p.catalog, "utf8").split("\n").map((l) => {
      const cell = written.get(l.slice(0, 2))
      return cell === undefined ? l : `${l.split(",").slice(0, 2).join(",")},${cell}`
    }).join("\n")
    writeFileSync(p.catalog, catalog)
    const plan = await p.plan()
    assert.deepStrictEqual([plan.conflicts, plan.operations, plan.notes], [[], [], []])
    const sync2 = await p.cli("sync", "--yes", "--force")
    assert.strictEqual(sync2.code, 0, sync2.stdout + sync2.stderr)
    const settled = await p.plan()
    assert.deepStrictEqual([settled.conflicts, settled.operations, settled.notes, settled.totals.pendingWriteBacks], [[], [], [], 0])
  }, 300_000)
})
