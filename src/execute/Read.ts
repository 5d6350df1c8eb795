/**
 * Reads both sides for a plan: the account's fields and currencies, the mapping compiled against
 * them and the ERP header, the ERP catalog typed by the mapping (bad rows kept aside with their
 * reasons), every Pipedrive product, and the state (base, links, pending write-backs, pins). Reading
 * never writes to either side.
 */
import { Effect, Either, Option, Schema, Stream } from "effect"
import { createHash } from "node:crypto"
import type { ResolvedConfig } from "../config/SyncConfig.js"
import { CatalogProduct } from "../domain/CatalogProduct.js"
import * as Currency from "../domain/Currency.js"
import * as Field from "../domain/Field.js"
import * as Catalog from "../erp/Catalog.js"
import type * as Cell from "../erp/Cell.js"
import * as Reader from "../erp/Reader.js"
import type { AccountField } from "../mapping/AccountFields.js"
import * as Compile from "../mapping/Compile.js"
import * as Erp from "../mapping/Erp.js"
import type { MappingInput } from "../mapping/Mapping.js"
import { MappingError } from "../mapping/Load.js"
import type * as Wire from "../mapping/Wire.js"
import { Pipedrive } from "../pipedrive/Pipedrive.js"
import { Store } from "../store/Store.js"

/** A row of the ERP file kept aside, with every reason (file, line, column). */
export interface Reject {
  readonly line: number
  readonly key: string | undefined
  readonly reasons: ReadonlyArray<string>
  readonly item: Catalog.Rejected | undefined
}

export interface Sides {
  readonly compiled: Compile.Compiled
  readonly catalog: Catalog.Catalog
  readonly erp: ReadonlyArray<CatalogProduct>
  readonly rejects: ReadonlyArray<Reject>
  readonly pipedrive: ReadonlyArray<Wire.WireProduct>
  readonly base: ReadonlyMap<string, ReadonlyMap<Field.Path, Field.Value>>
  readonly links: ReadonlyMap<string, number>
  readonly pending: ReadonlyMap<string, ReadonlyMap<Field.Path, Field.Value>>
  readonly lastErpRows: number | undefined
}

const encodeProduct = Schema.encodeSync(CatalogProduct)

/** The ERP-side column specs a compiled mapping reads. */
export const columnSpecs = (compiled: Compile.Compiled): Array<Cell.ColumnSpec> => {
  const specs = new Map<string, Cell.ColumnSpec>()
  for (const f of compiled.fields) {
    const rule = f.erp
    if (rule === undefined) continue
    for (const name of rule.inputs) {
      if (specs.has(name)) continue
      const computed = rule.compute !== undefined
      specs.set(name, {
        name,
        type: computed ? "text" : rule.type,
        ...(rule.decimal === undefined ? {} : { decimal: rule.decimal }),
        ...(rule.booleans === undefined ? {} : { booleans: rule.booleans }),
        trim: rule.trim,
        required: f.direction !== "pipedrive→erp"
      })
    }
  }
  return [...specs.values()]
}

const decodeStored = (value: unknown): Field.Value => Field.fromJson(JSON.stringify(value))

/** Reads everything a plan needs. */
export const read = (config: ResolvedConfig, mapping: MappingInput) =>
  Effect.gen(function*() {
    const pipedrive = yield* Pipedrive
    const store = yield* Store
    const dialect = config.erp.dialect
    const source = yield* Reader.open(config.erp.path, dialect)
    const [fields, currencies, pins] = yield* Effect.all([pipedrive.productFields(), pipedrive.currencies(), store.pinnedFields], { concurrency: 2 })
    const registry = Currency.registry(currencies.filter((c) => c.active_flag !== false).map((c) => [c.code, c.decimal_points ?? 2] as const))
    const compiled = Compile.compile(mapping, {
      header: source.header.names,
      fields: fields as ReadonlyArray<AccountField>,
      currencies: registry,
      pins: pins.map((p) => ({ label: p.label, fieldCode: p.fieldCode, fieldType: p.fieldType })),
      mode: config.policies.mode,
      conflicts: config.policies.conflicts,
      source: config.mapping
    })
    if (Either.isLeft(compiled)) return yield* new MappingError({ source: config.mapping, problems: compiled.left })
    const c = compiled.right
    const catalog = yield* Catalog.open(config.erp.path, { key: c.key.erpColumn, columns: columnSpecs(c), dialect })
    const decimalOf = new Map(catalog.columns.map((col) => [col.name, col.format.decimal]))
    const options: Erp.ReadOptions = { decimal: (column) => decimalOf.get(column) ?? dialect.decimal ?? "auto" }
    const erp: Array<CatalogProduct> = []
    const rejects: Array<Reject> = []
    yield* Stream.runForEach(catalog.rows, (item) =>
      Effect.sync(() => {
        if (item._tag === "Rejected") {
          rejects.push({ line: item.line, key: item.key, reasons: item.errors.map((e) => (e.column === undefined ? e.reason : `${e.column}: ${e.reason}`)), item })
          return
        }
        const product = Erp.fromRow(c, (column) => item.values[column] ?? (column === c.key.erpColumn ? item.key : undefined), options)
        if (Either.isLeft(product)) rejects.push({ line: item.line, key: item.key, reasons: product.left.map((e) => `${e.column}: ${e.reason}`), item: undefined })
        else erp.push(product.right)
      })
    )
    const products = yield* Stream.runCollect(pipedrive.products({ customFields: c.fields.flatMap((f) => (f.custom ? [f.custom.field_code] : [])) }))
    const base = new Map<string, Map<Field.Path, Field.Value>>()
    yield* Stream.runForEach(store.baseByKey(), (g) => Effect.sync(() => base.set(g.key, new Map(Object.entries(g.fields).map(([path, v]) => [path, decodeStored(v)])))))
    const links = new Map<string, number>()
    yield* Stream.runForEach(store.links(), (l) => Effect.sync(() => links.set(l.key, l.pipedriveId)))
    const pending = new Map<string, Map<Field.Path, Field.Value>>()
    for (const p of yield* store.pendingWritebacks) {
      const m = pending.get(p.key) ?? new Map<Field.Path, Field.Value>()
      m.set(p.field, decodeStored(p.value))
      pending.set(p.key, m)
    }
    const lastRun = yield* store.lastRun({ status: "succeeded" })
    const sides: Sides = {
      compiled: c,
      catalog,
      erp,
      rejects,
      pipedrive: [...products] as ReadonlyArray<Wire.WireProduct>,
      base,
      links,
      pending,
      lastErpRows: Option.getOrUndefined(lastRun)?.erpRows ?? undefined
    }
    return sides
  })

/**
 * A fingerprint of everything a plan was made from (both sides, the state, the mapping, the
 * policies): a saved plan whose inputs no longer hash the same is stale.
 */
export const inputsHash = (sides: Sides, config: ResolvedConfig, mappingText: string): string => {
  const h = createHash("sha256")
  h.update(mappingText)
  h.update(JSON.stringify(config.policies))
  for (const p of [...sides.erp].sort((a, b) => (a.key < b.key ? -1 : 1))) h.update(JSON.stringify(encodeProduct(p)))
  for (const w of [...sides.pipedrive].sort((a, b) => a.id - b.id)) h.update(JSON.stringify(w))
  for (const [k, m] of [...sides.base].sort()) for (const [path, v] of [...m].sort()) h.update(`${k}\u0000${path}\u0000${Field.toJson(path, v)}`)
  for (const [k, id] of [...sides.links].sort()) h.update(`${k}\u0000${id}`)
  for (const [k, m] of [...sides.pending].sort()) for (const [path, v] of [...m].sort()) h.update(`${k}\u0000${path}\u0000${Field.toJson(path, v)}`)
  return h.digest("hex")
}
