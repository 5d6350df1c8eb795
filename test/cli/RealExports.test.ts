/**
 * Real exports nobody here wrote (test/fixtures/csv/SOURCES.md), used as a new user would, through
 * the built CLI against an emulator account that starts empty: `init`, the edits a user makes to
 * what it wrote, `config check`, `plan`, `sync`, an edit on each side, `sync` again, the ERP
 * importing the write-back, and `plan --detailed-exitcode` = 0 with no notes. One of them keys
 * products by a custom field and carries a field that flows from Pipedrive to the ERP.
 */
import { assert, describe, it } from "@effect/vitest"
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Emulator from "../../src/emulator/Emulator.js"
import { emptyAccount } from "../../src/cli/Target.js"
import { repo } from "./support.js"
import { type Result, runCliAsync } from "./run.js"

const token = "e2e".padEnd(40, "0")

interface Product {
  readonly id: number
  readonly name: string
  readonly code: string | null
  readonly description: string | null
  readonly prices: ReadonlyArray<{ readonly currency: string; readonly price: number; readonly cost: number | null }>
  readonly custom_fields: Record<string, unknown>
}

interface PlanJson {
  readonly plan: {
    readonly operations: ReadonlyArray<{ readonly key: string; readonly side: string; readonly kind: string; readonly changes: ReadonlyArray<{ path: string; after: unknown; rule: string }> }>
    readonly notes: ReadonlyArray<{ readonly key: string; readonly message: string }>
    readonly conflicts: ReadonlyArray<unknown>
    readonly fieldsToCreate: ReadonlyArray<{ readonly label: string }>
    readonly guards: ReadonlyArray<{ readonly name: string; readonly passed: boolean }>
  }
}

/** A user's folder holding one real export, and the emulator account it syncs with. */
const session = async (file: string) => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-e2e-"))
  copyFileSync(join(repo, "test", "fixtures", "csv", file), join(dir, file))
  const emu = await Emulator.start({ token, seed: emptyAccount, burstLimit: 1000 })
  const env = { PIPEDRIVE_API_TOKEN: token, PIPEDRIVE_BASE_URL: emu.baseUrl }
  const cli = (...args: ReadonlyArray<string>): Promise<Result> => runCliAsync(args, { cwd: dir, env })
  const ok = async (...args: ReadonlyArray<string>): Promise<Result> => {
    const r = await cli(...args)
    assert.strictEqual(r.code, 0, `${args.join(" ")}: ${r.stdout}\n${r.stderr}`)
    return r
  }
  const api = async <A>(method: string, path: string, body?: unknown): Promise<A> => {
    const res = await fetch(`${emu.baseUrl}${path}`, {
      method,
      headers: { "x-api-token": token, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const json = (await res.json()) as { data: A }
    assert.isTrue(res.ok, `${method} ${path}: ${JSON.stringify(json)}`)
    return json.data
  }
  const products = () => api<ReadonlyArray<Product>>("GET", "/api/v2/products?limit=500")
  const fieldKey = async (label: string) => (await api<ReadonlyArray<{ field_name: string; field_code: string }>>("GET", "/api/v2/productFields?limit=500")).find((f) => f.field_name === label)?.field_code
  const plan = async (): Promise<PlanJson["plan"]> => (JSON.parse((await ok("plan", "--format", "json")).stdout) as PlanJson).plan
  const path = (name: string) => join(dir, name)
  const read = (name: string) => readFileSync(path(name), "utf8")
  const edit = (name: string, f: (text: string) => string) => {
    const before = read(name)
    const after = f(before)
    assert.notStrictEqual(after, before, `the edit of ${name} changed nothing`)
    writeFileSync(path(name), after)
  }
  return { dir, emu, cli, ok, api, products, fieldKey, plan, path, read, edit, close: () => emu.close() }
}

/** A plan value as text: decimals are `{ _tag: "Decimal", value }` in the JSON report. */
const shown = (u: unknown): unknown => (typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "Decimal" ? (u as { value: string }).value : u)

/** `plan --detailed-exitcode` is 0 and the plan holds no notes, conflicts or writes. */
const settled = async (s: Awaited<ReturnType<typeof session>>) => {
  const p = await s.plan()
  assert.deepStrictEqual({ operations: p.operations, notes: p.notes, conflicts: p.conflicts }, { operations: [], notes: [], conflicts: [] })
  const detailed = await s.cli("plan", "--detailed-exitcode")
  assert.strictEqual(detailed.code, 0, detailed.stdout + detailed.stderr)
}

describe("real exports end to end (built CLI, emulator)", () => {
  it("Odoo's product template: the key in a custom field, a field Pipedrive owns, an edit on each side", async () => {
    const file = "odoo_product_template_import_template.csv"
    const s = await session(file)
    try {
      await s.ok("init", file)
      const mapping = "mappings/odoo-product-template-import-template.ts"
      // What a user edits: Odoo's external ID kept in a custom field (product codes stay free for
      // sales), created by the sync; the barcode maintained by sales in Pipedrive.
      s.edit(mapping, (m) =>
        m
          .replace(`key: { erp: "ID", pipedrive: "code" },`, `key: { erp: "ID", pipedrive: "custom.Odoo ID" },\n  createMissingFields: true,`)
          .replace(`// "custom.Barcode": { erp: "Barcode" },`, `"custom.Barcode": { erp: "Barcode", direction: "pipedrive→erp" },`))
      await s.ok("config", "check")

      const first = await s.plan()
      assert.deepStrictEqual(first.fieldsToCreate.map((f) => f.label).sort(), ["Barcode", "Odoo ID"])
      assert.deepStrictEqual(first.operations.map((o) => [o.key, o.side, o.kind]), [
        ["product_template_1", "pipedrive", "create"],
        ["product_template_2", "pipedrive", "create"],
        ["product_template_3", "pipedrive", "create"]
      ])
      assert.isTrue(first.guards.every((g) => g.passed), JSON.stringify(first.guards))
      await s.ok("sync", "--yes")
      const idKey = await s.fieldKey("Odoo ID")
      const barcodeKey = await s.fieldKey("Barcode")
      assert.isDefined(idKey)
      assert.isDefined(barcodeKey)
      const created = await s.products()
      assert.deepStrictEqual(created.map((p) => [p.name, p.custom_fields[idKey!], p.prices.find((x) => x.currency === "EUR")?.price]).sort(), [
        ["Apple Wireless Keyboard", "product_template_1", 29.99],
        ["Dell Inspiron Laptop without OS", "product_template_2", 2499],
        ["Prepaid Consulting", "product_template_3", 90]
      ])
      // A first sync settles: nothing to write, no notes (Pipedrive's defaults are no change).
      await settled(s)

      // The ERP raises a price; sales fill in a barcode and reword a description the ERP owns.
      s.edit(file, (t) => t.replace("DELL15,,2499,1643", "DELL15,,2599.5,1643"))
      const keyboard = created.find((p) => p.name === "Apple Wireless Keyboard")!
      const laptop = created.find((p) => p.name === "Dell Inspiron Laptop without OS")!
      await s.api("PATCH", `/api/v2/products/${keyboard.id}`, { custom_fields: { [barcodeKey!]: "4006381333931" } })
      await s.api("PATCH", `/api/v2/products/${laptop.id}`, { description: "Reworded by sales" })
      const second = await s.plan()
      assert.deepStrictEqual(second.operations.map((o) => [o.key, o.side, o.kind, o.changes.map((c) => [c.path, shown(c.after), c.rule]).sort()]), [
        ["product_template_1", "erp", "update", [["custom.Barcode", "4006381333931", "first-run-owner"]]],
        ["product_template_2", "pipedrive", "update", [["description", "2 years warranty", "erp-owned"], ["prices.EUR.price", "2599.5", "erp-changed"]]]
      ])
      await s.ok("sync", "--yes")
      const after = await s.products()
      const laptopNow = after.find((p) => p.id === laptop.id)!
      assert.strictEqual(laptopNow.prices.find((x) => x.currency === "EUR")?.price, 2599.5)
      assert.strictEqual(laptopNow.description, "2 years warranty")
      // The way back: the write-back holds the barcode, in the catalog's own layout.
      const back = s.read(".catalog-sync/odoo_product_template_import_template.pipedrive-changes.csv")
      assert.include(back, "product_template_1")
      assert.include(back, "4006381333931")
      // Waiting for the ERP to import it is no change.
      await settled(s)
      // The ERP imports it.
      s.edit(file, (t) => t.replace("AK789,,29.99", "AK789,4006381333931,29.99"))
      await settled(s)
    } finally {
      await s.close()
    }
  }, 300_000)

  it("a JTL-Wawi export (German, decimal commas beside points): init as it is, an edit on each side", async () => {
    const file = "jtl_wawi_export_de_mixed_decimals.csv"
    const s = await session(file)
    try {
      await s.ok("init", file)
      await s.ok("config", "check")
      const first = await s.plan()
      assert.strictEqual(first.operations.filter((o) => o.kind === "create").length, 102)
      assert.isTrue(first.guards.every((g) => g.passed), JSON.stringify(first.guards))
      await s.ok("sync", "--yes")
      await settled(s)
      const products = await s.products()
      assert.strictEqual(products.length, 102)

      // The ERP changes a net price (Netto-VK, written "32,66" in this file); sales rename a product.
      const sku = "NG-4260633570233"
      s.edit(file, (t) => t.replace(`,"34,95","32,66","19,71"`, `,"34,95","33,10","19,71"`))
      const renamed = products.find((p) => p.code !== sku)!
      await s.api("PATCH", `/api/v2/products/${renamed.id}`, { name: "Renamed in Pipedrive" })
      const second = await s.plan()
      assert.deepStrictEqual(second.operations.map((o) => [o.key, o.side, o.changes.map((c) => [c.path, c.rule])]).sort(), [
        [renamed.code, "pipedrive", [["name", "erp-owned"]]],
        [sku, "pipedrive", [["prices.EUR.price", "erp-changed"]]]
      ].sort())
      await s.ok("sync", "--yes")
      const after = await s.products()
      // The name is the ERP's again (set back); the price change went through, exactly.
      assert.strictEqual(after.find((p) => p.id === renamed.id)?.name, renamed.name)
      assert.strictEqual(after.find((p) => p.code === sku)?.prices.find((x) => x.currency === "EUR")?.price, 33.1)
      await settled(s)
    } finally {
      await s.close()
    }
  }, 300_000)
})
