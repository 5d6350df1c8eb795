/**
 * The three-way rules and the guards through the built CLI, against the bundled emulator started
 * from an empty account (issue 13): a failed create is planned as a create again, never as
 * "deleted in Pipedrive"; a Pipedrive-owned field with no value yet blanks nothing in the ERP;
 * an ERP-owned field edited in Pipedrive is set back (or only reported under `drift: "report"`);
 * Pipedrive's defaults on a create are no change; a file whose rows are all rejected is refused;
 * a first load and a small catalog's routine edits pass the guards; `--allow` lets one guard through.
 */
import { assert, describe, it } from "@effect/vitest"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Result, runCliAsync } from "./run.js"
import { repo, stackFrame } from "./support.js"

interface Product {
  code: string | null
  name: string
  update_time: string
  prices: Array<{ currency: string; price: number }>
  custom_fields: Record<string, unknown>
}
interface Account {
  productFields: Array<{ field_name: string; field_code: string }>
  products: Array<Product>
}
interface PlanJson {
  operations: Array<{ id: string; side: string; kind: string; key: string; changes: Array<{ path: string; before?: unknown; after: unknown; rule: string }> }>
  notes: Array<{ key: string; message: string }>
  guards: Array<{ name: string; passed: boolean; message: string }>
}

const seed = JSON.parse(readFileSync(join(repo, "fixtures", "pipedrive-seed.json"), "utf8")) as Account
const fieldCode = (label: string) => seed.productFields.find((f) => f.field_name === label)!.field_code

/** A project on an empty emulator account (the seed's fields and currencies, no products). */
const project = (csv: string, fields: string, options: { mapping?: string; guards?: string } = {}): string => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-reconcile-"))
  writeFileSync(join(dir, "c.csv"), csv)
  writeFileSync(join(dir, "m.ts"), `export default { key: { erp: "sku" }, ${options.mapping ?? ""}fields: { ${fields} } }\n`)
  writeFileSync(
    join(dir, "sync.config.ts"),
    `export default { erp: { path: "./c.csv", dialect: { delimiter: ",", decimal: "point" } }, mapping: "./m.ts", ${options.guards === undefined ? "" : `policies: { guards: { ${options.guards} } }, `}state: "./state.db" }\n`
  )
  writeFileSync(join(dir, "emulator-account.json"), JSON.stringify({ ...seed, products: [] }))
  return dir
}

const account = (dir: string) => JSON.parse(readFileSync(join(dir, "emulator-account.json"), "utf8")) as Account
/** Edits a product in the emulator's account, as sales would in Pipedrive (its update time moves on). */
const editInPipedrive = (dir: string, code: string, edit: (p: Product) => void) => {
  const a = account(dir)
  const p = a.products.find((x) => x.code === code)!
  edit(p)
  p.update_time = new Date(Date.now() + 1000).toISOString().replace(/\.\d{3}Z$/, "Z")
  writeFileSync(join(dir, "emulator-account.json"), JSON.stringify(a))
}
/** The built CLI, without blocking this process (these tests run many commands in a row). */
const runCli = (args: ReadonlyArray<string>, options: { cwd: string }): Promise<Result> => runCliAsync(args, options)
const plan = async (dir: string): Promise<PlanJson> => {
  const r = await runCli(["plan", "--format", "json"], { cwd: dir })
  assert.strictEqual(r.code, 0, r.stderr)
  return (JSON.parse(r.stdout) as { plan: PlanJson }).plan
}
/** `sync --yes`; the tests of the three-way rules pass `--force`, so that the guards (tested apart) do not stand in their way. */
const sync = (dir: string, ...args: Array<string>): Promise<Result> => runCli(["sync", "--yes", ...args], { cwd: dir })
/** A decimal as the plan's JSON holds it (`{ _tag: "Decimal", value }`). */
const decimal = (v: unknown) => (v as { value: string }).value
const opIds = (p: PlanJson) => p.operations.map((o) => o.id)

const base = `name: { erp: "name" }, "prices.EUR.price": { erp: "price" }, "custom.Brand": { erp: "brand" }`

describe("three-way rules through the CLI (issue 13)", async () => {
  it("a create Pipedrive refused is planned as a create again, never as deleted in Pipedrive; fixed, it is created; Pipedrive's defaults are no change", async () => {
    const long = "x".repeat(300) // a varchar custom field holds at most 255 characters: a 400
    const dir = project(`sku,name,price,brand\nC1,Chair,10,Acme\nC2,Table,,\nC3,Stool,,${long}\n`, base)
    const first = await sync(dir, "--force")
    assert.strictEqual(first.code, 4, first.stdout + first.stderr)
    assert.match(first.stdout, /C3 create: .*400/)
    const again = await plan(dir)
    assert.deepStrictEqual(opIds(again), ["pipedrive:create:C3"])
    assert.deepStrictEqual(again.notes, [])
    writeFileSync(join(dir, "c.csv"), `sku,name,price,brand\nC1,Chair,10,Acme\nC2,Table,,\nC3,Stool,,Acme\n`)
    const fixed = await sync(dir, "--force")
    assert.strictEqual(fixed.code, 0, fixed.stdout + fixed.stderr)
    assert.deepStrictEqual(account(dir).products.map((p) => p.code).sort(), ["C1", "C2", "C3"])
    // C2 and C3 were created without a price: Pipedrive filled in 0 by itself. That is no change, no note.
    for (const code of ["C2", "C3"]) assert.deepStrictEqual(account(dir).products.find((p) => p.code === code)!.prices.map((p) => p.price), [0])
    const settled = await plan(dir)
    assert.deepStrictEqual(opIds(settled), [])
    assert.deepStrictEqual(settled.notes, [])
  }, 120_000)

  it("Pipedrive's defaults on a create (price 0) are no change: after a sync, the next plan has no writes and no notes", async () => {
    const dir = project("sku,name,price,brand\nD1,Dowel,,Acme\nD2,Drawer,3,\n", base)
    const r = await sync(dir, "--force")
    assert.strictEqual(r.code, 0, r.stdout + r.stderr)
    assert.deepStrictEqual(account(dir).products.find((p) => p.code === "D1")!.prices.map((p) => p.price), [0])
    const next = await plan(dir)
    assert.deepStrictEqual(opIds(next), [])
    assert.deepStrictEqual(next.notes, [])
  }, 120_000)

  it("a pipedrive→erp field blanks nothing in the ERP on the first run; once Pipedrive has a value it flows to the ERP", async () => {
    const dir = project("sku,name,warranty\nW1,Wrench,24\nW2,Hammer,12\n", `name: { erp: "name" }, "custom.Warranty (months)": { erp: "warranty", direction: "pipedrive→erp" }`)
    const before = await plan(dir)
    assert.deepStrictEqual(before.operations.filter((o) => o.side === "erp"), [])
    const r = await sync(dir, "--force")
    assert.strictEqual(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /write-back {2}0 pending/)
    const after = await plan(dir)
    assert.deepStrictEqual(opIds(after), [])
    assert.deepStrictEqual(after.notes, [])
    editInPipedrive(dir, "W2", (p) => (p.custom_fields[fieldCode("Warranty (months)")] = 36))
    const edited = await plan(dir)
    assert.deepStrictEqual(edited.operations.map((o) => [o.id, o.changes.map((c) => `${c.path} ${decimal(c.before)}→${decimal(c.after)}`)]), [["erp:update:W2", ["custom.Warranty (months) 12→36"]]])
  }, 120_000)

  it("an erp→pipedrive field renamed in Pipedrive is set back (rule erp-owned, in every format); drift: \"report\" only notes it", async () => {
    const dir = project("sku,name,price,brand\nN1,Nail,1,Acme\nN2,Screw,2,Acme\n", base)
    assert.strictEqual((await sync(dir, "--force")).code, 0)
    editInPipedrive(dir, "N1", (p) => (p.name = "Nail (renamed by sales)"))
    const p = await plan(dir)
    assert.deepStrictEqual(p.operations.map((o) => [o.id, o.changes.map((c) => [c.path, c.before, c.after, c.rule])]), [["pipedrive:update:N1", [["name", "Nail (renamed by sales)", "Nail", "erp-owned"]]]])
    for (const format of ["table", "markdown", "csv", "html"]) {
      const out = await runCli(["plan", "--format", format], { cwd: dir })
      assert.match(out.stdout, format === "csv" || format === "html" ? /erp-owned/ : /set back: the ERP owns it/, format)
    }
    writeFileSync(join(dir, "m.ts"), `export default { key: { erp: "sku" }, drift: "report", fields: { ${base} } }\n`)
    const reported = await plan(dir)
    assert.deepStrictEqual(opIds(reported), [])
    assert.deepStrictEqual(reported.notes.map((n) => n.key), ["N1"])
    assert.match(reported.notes[0]!.message, /changed in Pipedrive, but name flows erp→pipedrive: left as is \(drift: "report"\)/)
    writeFileSync(join(dir, "m.ts"), `export default { key: { erp: "sku" }, fields: { ${base} } }\n`)
    const restored = await sync(dir, "--force")
    assert.strictEqual(restored.code, 0, restored.stdout + restored.stderr)
    assert.strictEqual(account(dir).products.find((x) => x.code === "N1")!.name, "Nail")
    assert.deepStrictEqual(opIds(await plan(dir)), [])
  }, 120_000)
})

describe("guards through the CLI (issue 13)", async () => {
  it("a file whose every row is rejected is refused, with the reasons' counts", async () => {
    const dir = project("sku,name,price\nR1,Rope,ten\nR2,Rod,twelve\n", `name: { erp: "name" }, "prices.EUR.price": { erp: "price" }`)
    const p = await plan(dir)
    const g = p.guards.find((x) => x.name === "maxRejectedShare")!
    assert.isFalse(g.passed)
    assert.match(g.message, /^2 of 2 ERP rows rejected \(100 %.*— every row: 2 × price: "…" is not a number/)
    const r = await sync(dir)
    assert.strictEqual(r.code, 1)
    assert.match(r.stderr, /refused: .*\n {2}maxRejectedShare: 2 of 2 ERP rows rejected/)
    assert.notMatch(r.stderr, stackFrame)
  }, 120_000)

  it("a first load into an empty account passes every guard; a small catalog's routine edits on both sides pass too", async () => {
    const dir = project(["sku,name,price,brand", ...Array.from({ length: 8 }, (_, i) => `F${i},Item ${i},${i + 1},Acme`)].join("\n") + "\n", base)
    const p = await plan(dir)
    assert.isTrue(p.guards.every((g) => g.passed), JSON.stringify(p.guards))
    assert.match(p.guards.find((g) => g.name === "maxDeletedShare")!.message, /^0 of 0 linked products/)
    const first = await sync(dir)
    assert.strictEqual(first.code, 0, first.stdout + first.stderr)

    const small = project("sku,name,price,brand\nS1,Saw,10,Acme\nS2,Drill,20,Acme\n", `name: { erp: "name" }, "prices.EUR.price": { erp: "price" }, "custom.Brand": { erp: "brand", direction: "both" }`)
    assert.strictEqual((await sync(small)).code, 0)
    writeFileSync(join(small, "c.csv"), "sku,name,price,brand\nS1,Saw,11,Acme\nS2,Drill,20,Acme\n")
    editInPipedrive(small, "S2", (x) => (x.custom_fields[fieldCode("Brand")] = "Bosch"))
    const routine = await sync(small)
    assert.strictEqual(routine.code, 0, routine.stdout + routine.stderr)
  }, 120_000)

  it("--allow NAME lets that one guard through, the others still checked; an unknown name lists the guards", async () => {
    const dir = project("sku,name,price,brand\nA1,Axe,10,Acme\nA2,Adze,20,Acme\n", base, { guards: "maxChangedShare: 0, minCount: 0" })
    assert.strictEqual((await sync(dir)).code, 0)
    writeFileSync(join(dir, "c.csv"), "sku,name,price,brand\nA1,Axe,11,Acme\nA2,Adze,20,Acme\n")
    const refused = await sync(dir)
    assert.strictEqual(refused.code, 1)
    assert.match(refused.stderr, /maxChangedShare: 1 of 2 existing Pipedrive products would be updated/)
    assert.match(refused.stderr, /--allow maxChangedShare/)
    const unknown = await sync(dir, "--allow", "maxChanged")
    assert.strictEqual(unknown.code, 1)
    assert.match(unknown.stderr, /--allow "maxChanged": no such guard; the guards are maxChangedShare, maxDeletedShare, maxRowDrop, maxRejectedShare, emptyFile/)
    const other = await sync(dir, "--allow", "maxRowDrop")
    assert.strictEqual(other.code, 1)
    const allowed = await sync(dir, "--allow", "maxChangedShare")
    assert.strictEqual(allowed.code, 0, allowed.stdout + allowed.stderr)
    assert.match(allowed.stderr, /--allow: writing although the plan trips maxChangedShare/)
    assert.deepStrictEqual(account(dir).products.find((p) => p.code === "A1")!.prices.map((p) => p.price), [11])
  }, 120_000)
})
