/**
 * Custom fields by name, pinned by key (DESIGN §6.3), against the emulator over real HTTP: the demo
 * mapping is compiled against the account's product fields as `GET /api/v2/productFields` pages
 * them, its pins are kept, and then the account drifts — a field renamed, deleted, deleted and made
 * again, retyped, a second field with the same label — and the next compile stops before any write
 * with the message that says what to do. A label that never existed gets a did-you-mean.
 */
import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { readFileSync } from "node:fs"
import * as Currency from "../../src/domain/Currency.js"
import * as Problem from "../../src/domain/Problem.js"
import * as Emulator from "../../src/emulator/Emulator.js"
import * as Seed from "../../src/emulator/Seed.js"
import type { AccountField, Pin } from "../../src/mapping/AccountFields.js"
import * as Compile from "../../src/mapping/Compile.js"
import { defineMapping, type MappingInput } from "../../src/mapping/Mapping.js"
import demoMapping from "../../mappings/default.js"

const token = "drift-test-token"
const decoded = Seed.decode(JSON.parse(readFileSync(new URL("../../fixtures/pipedrive-seed.json", import.meta.url), "utf8")))
if (Either.isLeft(decoded)) throw new Error(decoded.left)
const seed = decoded.right
const demoHeader = readFileSync(new URL("../../fixtures/demo-catalog.csv", import.meta.url), "utf8").replace(/^\uFEFF/, "").split(/\r?\n/)[0]!.split(";")

/** The seed with one custom field changed (`undefined`: removed). */
const withField = (label: string, change: (f: Seed.ProductField) => Seed.ProductField | undefined): Seed.Seed => {
  assert.isTrue(seed.productFields.some((f) => f.field_name === label), `the seed has no field "${label}"`)
  return { ...seed, productFields: seed.productFields.flatMap((f) => (f.field_name === label ? [change(f)].filter((x) => x !== undefined) : [f])) }
}

let emulator: Emulator.Handle
beforeAll(async () => {
  emulator = await Emulator.start({ token, seed, burstLimit: 100_000 })
})
afterAll(() => emulator.close())
beforeEach(() => emulator.reset(seed))

const api = async (method: "GET" | "POST", path: string, body?: unknown) => {
  const res = await fetch(`${emulator.baseUrl}${path}`, {
    method,
    headers: { "x-api-token": token, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const json = (await res.json()) as { success: boolean; data: unknown; additional_data?: { next_cursor?: string | null } }
  assert.strictEqual(res.status, 200, JSON.stringify(json))
  return json
}

/** Every product field of the account, following the cursor through all pages. */
const accountFields = async (limit = 500): Promise<Array<AccountField>> => {
  const out: Array<AccountField> = []
  let cursor: string | null | undefined
  do {
    const page = await api("GET", `/api/v2/productFields?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)
    out.push(...(page.data as Array<AccountField>))
    cursor = page.additional_data?.next_cursor
  } while (cursor)
  return out
}

const accountCurrencies = async () => {
  const list = (await api("GET", "/v1/currencies")).data as Array<{ code: string; decimal_points: number }>
  return Currency.registry(list.map((c) => [c.code, c.decimal_points] as const))
}

const compile = async (pins: ReadonlyArray<Pin>, mapping: MappingInput = demoMapping) =>
  Compile.compile(mapping, {
    header: demoHeader,
    fields: await accountFields(),
    currencies: await accountCurrencies(),
    pins,
    mode: { toPipedrive: "additive", toErp: "additive" },
    conflicts: "manual",
    source: "mappings/default.ts"
  })

const problems = async (pins: ReadonlyArray<Pin>, mapping?: MappingInput) => {
  const r = await compile(pins, mapping)
  if (Either.isRight(r)) return assert.fail("expected the compile to stop")
  return r.left.map(Problem.render)
}

/** The pins of a first compile against the seeded account. */
const firstPins = async () => {
  const r = await compile([])
  if (Either.isLeft(r)) return assert.fail(r.left.map(Problem.render).join("\n"))
  return r.right.pins
}

const code = (label: string) => seed.productFields.find((f) => f.field_name === label)!.field_code

describe("Custom fields pinned by key, against the emulator", () => {
  it("a first compile pins each mapped custom field to the key the account reports, over every page", async () => {
    const all = await accountFields()
    assert.deepStrictEqual(await accountFields(2), all) // the same fields when paged two at a time
    const pins = await firstPins()
    assert.deepStrictEqual(
      [...pins].sort((a, b) => a.label.localeCompare(b.label)),
      [
        { label: "Brand", fieldCode: code("Brand"), fieldType: "varchar" },
        { label: "Color", fieldCode: code("Color"), fieldType: "enum" },
        { label: "Warranty (months)", fieldCode: code("Warranty (months)"), fieldType: "double" }
      ]
    )
    // With the account unchanged, the pins hold and nothing new is pinned.
    const again = await compile(pins)
    if (Either.isLeft(again)) return assert.fail(again.left.map(Problem.render).join("\n"))
    assert.deepStrictEqual(again.right.pins, pins)
  })

  it("renamed: says the new label and how to follow it", async () => {
    const pins = await firstPins()
    emulator.reset(withField("Brand", (f) => ({ ...f, field_name: "Manufacturer" })))
    assert.deepStrictEqual(await problems(pins), [
      `mappings/default.ts: fields["custom.Brand"]: the custom field "Brand" (key ${code("Brand")}) was renamed to "Manufacturer" in Pipedrive; write custom.Manufacturer in the mapping, or rename the field back`
    ])
    // Following the advice compiles, and the field keeps its pinned key.
    const followed = await compile(pins.map((p) => (p.label === "Brand" ? { ...p, label: "Manufacturer" } : p)), renameTarget(demoMapping, "custom.Brand", "custom.Manufacturer"))
    if (Either.isLeft(followed)) return assert.fail(followed.left.map(Problem.render).join("\n"))
    assert.strictEqual(followed.right.byPath.get("custom.Manufacturer")?.custom?.field_code, code("Brand"))
  })

  it("deleted: nothing is written until it is restored, removed from the mapping or unpinned", async () => {
    const pins = await firstPins()
    emulator.reset(withField("Color", () => undefined))
    assert.deepStrictEqual(await problems(pins), [
      `mappings/default.ts: fields["custom.Color"]: the custom field "Color" (key ${code("Color")}) was deleted in Pipedrive; nothing is written until this is resolved: restore the field, or remove it from the mapping, or unpin it with \`catalog-sync fields --unpin "Color"\` to use a new field`
    ])
    // Without the pin (after --unpin), the missing label is a plain missing field.
    const unpinned = await problems(pins.filter((p) => p.label !== "Color"))
    assert.deepStrictEqual(unpinned, [
      `mappings/default.ts: fields["custom.Color"]: the account has no custom product field labelled "Color"; create it in Pipedrive, or set createMissingFields: true in the mapping to have catalog-sync create it`
    ])
  })

  it("deleted and made again with the same label: the new field is not taken silently", async () => {
    const pins = await firstPins()
    emulator.reset(withField("Brand", () => undefined))
    const created = (await api("POST", "/api/v2/productFields", { field_name: "Brand", field_type: "varchar" })).data as AccountField
    assert.notStrictEqual(created.field_code, code("Brand"))
    const out = await problems(pins)
    assert.strictEqual(out.length, 1)
    assert.include(out[0]!, `the custom field "Brand" (key ${code("Brand")}) was deleted in Pipedrive, and another field now has that label;`)
    assert.include(out[0]!, `unpin it with \`catalog-sync fields --unpin "Brand"\` to use the new field`)
    // Unpinned, the new field is pinned by its own key.
    const unpinned = await compile(pins.filter((p) => p.label !== "Brand"))
    if (Either.isLeft(unpinned)) return assert.fail(unpinned.left.map(Problem.render).join("\n"))
    assert.strictEqual(unpinned.right.pins.find((p) => p.label === "Brand")?.fieldCode, created.field_code)
  })

  it("retyped: names both types and says to check the mapping, then unpin", async () => {
    const pins = await firstPins()
    emulator.reset(withField("Warranty (months)", (f) => ({ ...f, field_type: "varchar" })))
    assert.deepStrictEqual(await problems(pins), [
      `mappings/default.ts: fields["custom.Warranty (months)"]: the custom field "Warranty (months)" (key ${code("Warranty (months)")}) changed type from double to varchar in Pipedrive; check the mapping's type for it, then unpin it with \`catalog-sync fields --unpin "Warranty (months)"\``
    ])
  })

  it("a second field with the same label: names both keys, pinned or not", async () => {
    const pins = await firstPins()
    const twin = (await api("POST", "/api/v2/productFields", { field_name: "Color", field_type: "enum", options: [{ label: "Black" }, { label: "Anthracite" }] })).data as AccountField
    const expected = `mappings/default.ts: fields["custom.Color"]: 2 custom fields share the label "Color" (keys ${code("Color")}, ${twin.field_code}); rename all but one in Pipedrive so the mapping names one field`
    assert.deepStrictEqual(await problems(pins), [expected])
    assert.deepStrictEqual(await problems([]), [expected])
  })

  it("a label that never existed: did you mean the closest one", async () => {
    const out = await problems(await firstPins(), renameTarget(demoMapping, "custom.Color", "custom.Colour"))
    assert.deepStrictEqual(out, [
      `mappings/default.ts: fields["custom.Colour"]: the account has no custom product field labelled "Colour" (did you mean "Color"?); create it in Pipedrive, or set createMissingFields: true in the mapping to have catalog-sync create it`
    ])
  })

  it("every drift at once is reported in one run", async () => {
    const pins = await firstPins()
    emulator.reset({
      ...seed,
      productFields: seed.productFields.flatMap((f) =>
        f.field_name === "Brand" ? [] : f.field_name === "Color" ? [{ ...f, field_name: "Colour" }] : f.field_name === "Warranty (months)" ? [{ ...f, field_type: "int" }] : [f]
      )
    })
    const out = await problems(pins)
    assert.deepStrictEqual(out.map((p) => /fields\["([^"]+)"\]: the custom field "[^"]+" \(key [0-9a-f]{40}\) (was \w+|changed type)/.exec(p)?.slice(1)), [
      ["custom.Brand", "was deleted"],
      ["custom.Warranty (months)", "changed type"],
      ["custom.Color", "was renamed"]
    ])
  })
})

/** The mapping with one target renamed (the entry keeps its options). */
function renameTarget(mapping: MappingInput, from: string, to: string): MappingInput {
  const fields = Object.fromEntries(Object.entries(mapping.fields).map(([k, v]) => [k === from ? to : k, v]))
  assert.isTrue(from in mapping.fields)
  return defineMapping({ ...mapping, fields })
}
