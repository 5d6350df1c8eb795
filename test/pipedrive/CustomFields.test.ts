import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as Wire from "../../src/pipedrive/Wire.js"
import { client, emulator, seedOf } from "./Support.js"

/** A value of each creatable custom field type, as API v2 takes it; `options` ids are filled in per field. */
const cases: ReadonlyArray<{
  readonly type: Wire.CreatableFieldType
  readonly value: (optionIds: ReadonlyArray<number>) => unknown
}> = [
  { type: "varchar", value: () => "Alpina" },
  { type: "varchar_auto", value: () => "auto-complete me" },
  { type: "text", value: () => "Line one\nLine two — ünïcödé" },
  { type: "phone", value: () => "+49 30 1234567" },
  { type: "double", value: () => 36.25 },
  { type: "date", value: () => "2026-03-01" },
  { type: "monetary", value: () => ({ value: 2300.5, currency: "EUR" }) },
  { type: "enum", value: (ids) => ids[1] },
  { type: "set", value: (ids) => [ids[0], ids[2]] },
  { type: "user", value: () => 1 },
  { type: "org", value: () => 7 },
  { type: "people", value: () => 8 },
  { type: "daterange", value: () => ({ value: "2026-01-01", until: "2026-02-01" }) },
  { type: "time", value: () => ({ value: "09:30:00", timezone_name: "Europe/Berlin" }) },
  { type: "timerange", value: () => ({ value: "09:00:00", until: "17:00:00", timezone_name: "Europe/Berlin" }) },
  { type: "address", value: () => ({ value: "Unter den Linden 1, Berlin", locality: "Berlin", country: "Germany" }) }
]

/** Every key sent comes back with the same value (the server may add keys, such as null address parts). */
const containsSent = (got: unknown, sent: unknown): boolean => {
  if (typeof sent !== "object" || sent === null || Array.isArray(sent)) return JSON.stringify(got) === JSON.stringify(sent)
  if (typeof got !== "object" || got === null) return false
  return Object.entries(sent).every(([k, v]) => containsSent((got as Record<string, unknown>)[k], v))
}

describe("custom field values round-trip through the client", () => {
  it.scopedLive("every creatable field type: create the field, write a value, read it back, decode it by type, clear it", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(0) })
      const pd = yield* client(emu)
      const fields = yield* Effect.forEach(cases, (c) =>
        pd.createProductField({
          field_name: `CF ${c.type}`,
          field_type: c.type,
          ...(c.type === "enum" || c.type === "set" ? { options: [{ label: "A" }, { label: "B" }, { label: "C" }] } : {})
        }))
      const values = Object.fromEntries(cases.map((c, i) => {
        const f = fields[i]!
        assert.strictEqual(f.field_type, c.type)
        const ids = (f.options ?? []).map((o) => Number(o.id))
        return [f.field_code, c.value(ids)]
      }))
      const created = yield* pd.createProduct({ name: "All fields", code: "CF-1", custom_fields: values })
      const read = yield* pd.product(created.id)
      for (const [i, c] of cases.entries()) {
        const f = fields[i]!
        const raw = read.custom_fields?.[f.field_code]
        const typed = Schema.decodeUnknownEither(Wire.customFieldValue(c.type))(raw)
        assert.isTrue(typed._tag === "Right", `${c.type}: ${JSON.stringify(raw)} does not decode as ${c.type}`)
        assert.isTrue(containsSent(raw, values[f.field_code]), `${c.type}: sent ${JSON.stringify(values[f.field_code])}, read ${JSON.stringify(raw)}`)
      }
      // a monetary value is an object, a set an array of option ids: check the typed forms too
      const monetary = Schema.decodeUnknownSync(Wire.customFieldValueSchemas.monetary)(read.custom_fields?.[fields.find((f) => f.field_type === "monetary")!.field_code])
      assert.deepStrictEqual(monetary, { value: 2300.5, currency: "EUR" })

      const cleared = yield* pd.updateProduct(created.id, {
        custom_fields: Object.fromEntries(fields.map((f) => [f.field_code, null]))
      })
      for (const f of fields) assert.isNull(cleared.custom_fields?.[f.field_code] ?? null, `${f.field_type} not cleared`)
    }))

  it("a value of the wrong shape for its type does not decode", () => {
    const bad: ReadonlyArray<readonly [Wire.KnownFieldType, unknown]> = [
      ["monetary", 2300],
      ["set", "1,2"],
      ["enum", "12"],
      ["double", "36"],
      ["daterange", { value: "2026-01-01" }],
      ["address", "Berlin"]
    ]
    for (const [type, value] of bad) {
      assert.isTrue(Schema.decodeUnknownEither(Wire.customFieldValue(type))(value)._tag === "Left", `${type} accepted ${JSON.stringify(value)}`)
    }
    assert.isTrue(Schema.decodeUnknownEither(Wire.customFieldValue("some_future_type"))({ value: 1, extra: true })._tag === "Right")
  })
})
