/**
 * Prepares a run (DESIGN §2, steps 1–4): compiles the mapping against the ERP header and the
 * account's fields and currencies (the state's copy when the mapping is unchanged, read again only
 * when the plan writes something), streams the ERP catalog into the state's snapshot (bad rows kept
 * aside in a rejects file with their reasons), refreshes the Pipedrive snapshot (refusing when most
 * of it cannot be matched on the key), then plans key by key from the
 * state in key order — constant memory in the size of the catalog, except for what the plan holds.
 * Reading never writes to Pipedrive or the ERP; it writes only the state and the rejects file.
 */
import { Data, Effect, Either, Option, Stream } from "effect"
import { createHash } from "node:crypto"
import { ConfigError } from "../config/ConfigError.js"
import type { ResolvedConfig } from "../config/SyncConfig.js"
import type { CatalogProduct } from "../domain/CatalogProduct.js"
import * as Currency from "../domain/Currency.js"
import * as Field from "../domain/Field.js"
import * as Plan from "../domain/Plan.js"
import * as ProductJson from "../domain/ProductJson.js"
import { CatalogSource, type ColumnSpec, type Read, type ReadOptions, type Rejected } from "../source/CatalogSource.js"
import * as RowError from "../source/RowError.js"
import type { AccountField } from "../mapping/AccountFields.js"
import * as Compile from "../mapping/Compile.js"
import * as Erp from "../mapping/Erp.js"
import type { MappingInput } from "../mapping/Mapping.js"
import * as PipedriveSide from "../mapping/PipedriveSide.js"
import { Pipedrive } from "../pipedrive/Pipedrive.js"
import type * as Wire from "../pipedrive/Wire.js"
import * as Planner from "../plan/Planner.js"
import * as Pull from "./Pull.js"
import * as WriteBackCheck from "./WriteBackCheck.js"
import type * as Staged from "../store/Staged.js"
import * as StoreError from "../store/StoreError.js"
import { type AccountCache, erpUnreadable, type KeyedText, type PinnedField, Store } from "../store/Store.js"

export interface Prepared {
  readonly plan: Plan.Plan
  readonly compiled: Compile.Compiled
  /** The read of the ERP catalog this plan came from (its write-back writes through it). */
  readonly read: Read
  /** ERP rows kept aside, with every reason. */
  readonly rejects: ReadonlyArray<Rejected>
  /** Where they were written, when there were any. */
  readonly rejectsFile: string | undefined
  /** What of the ERP file was skipped as not products, for people (`Read.skipped`). */
  readonly skipped: ReadonlyArray<string>
  /** What `planState` planned from, to plan again from the state (after a resume) with a new `now`. */
  readonly planInput: PlanStateInput
  /** How the Pipedrive snapshot was refreshed. */
  readonly pull: Pull.Result
}

/** The ERP-side column specs a compiled mapping reads. */
export const columnSpecs = (compiled: Compile.Compiled): Array<ColumnSpec> => {
  const specs = new Map<string, ColumnSpec>()
  for (const f of compiled.fields) {
    const rule = f.erp
    if (rule === undefined) continue
    for (const name of rule.inputs) {
      if (specs.has(name)) continue
      const computed = rule.compute !== undefined
      specs.set(name, {
        name,
        type: computed || rule.type === "money" ? "text" : rule.type, // amounts with a currency are read by Erp.fromRow
        ...(rule.decimal === undefined ? {} : { decimal: rule.decimal }),
        ...(rule.booleans === undefined ? {} : { booleans: rule.booleans }),
        trim: rule.trim,
        required: f.direction !== "pipedrive→erp"
      })
    }
  }
  return [...specs.values()]
}

/** How the ERP catalog is read for a compiled mapping: its key, the columns it types, which rows are products. */
export const readOptions = (compiled: Compile.Compiled): ReadOptions => ({
  key: compiled.key.erpColumn,
  columns: columnSpecs(compiled),
  where: compiled.rows.where,
  duplicates: compiled.rows.duplicates
})

const fromStored = (value: unknown): Field.Value => Field.fromJsonValue(value)

/** Reads both sides into the state and plans. */
export interface PrepareOptions {
  /** Pull every Pipedrive product (a full pass) instead of those changed since the last pull. */
  readonly full?: boolean
  /** `false`: plan on the snapshot as it is, without a pull (right after another prepare in the same run). */
  readonly pull?: boolean
}

export const prepare = (config: ResolvedConfig, mapping: MappingInput, mappingText: string, now: string, how: PrepareOptions = {}) =>
  Effect.gen(function*() {
    const store = yield* Store
    const catalogSource = yield* CatalogSource
    const header = yield* catalogSource.columns
    const pins = yield* store.pinnedFields
    const mappingHash = hashOf(mappingText)
    const cached = Option.filter(yield* store.accountCache, (c) => c.mappingHash === mappingHash)
    // The account's fields and currencies: read on a first run, a mapping change or a full pass;
    // otherwise the state's copy, read again below only when the plan writes something.
    let read = Option.isNone(cached) || how.full === true
    let account = read ? yield* readAccount(mappingHash) : Option.getOrThrow(cached)
    let compiledE = compileWith(config, mapping, header, account, pins)
    if (!read && (Either.isLeft(compiledE) || compiledE.right.toCreate.length > 0)) {
      read = true
      account = yield* readAccount(mappingHash)
      compiledE = compileWith(config, mapping, header, account, pins)
    }
    if (Either.isLeft(compiledE)) return yield* new ConfigError({ source: config.mapping, subject: "mapping", problems: compiledE.left })
    let compiled = compiledE.right
    yield* pinNew(compiled, account, pins)

    // The ERP side, streamed into the snapshot.
    const catalog = yield* catalogSource.open(readOptions(compiled))
    const options: Erp.ReadOptions = { decimal: catalog.decimalOf }
    const rejects: Array<Rejected> = []
    const erpCompiled = compiled
    const rows = catalog.rows.pipe(
      Stream.filterMap((item) => {
        if (item._tag === "Rejected") {
          rejects.push(item)
          return Option.none()
        }
        const product = Erp.fromRow(erpCompiled, (column) => item.values[column] ?? (column === erpCompiled.key.erpColumn ? item.key : undefined), options)
        if (Either.isRight(product)) return Option.some({ key: product.right.key, product: product.right, line: item.line })
        const errors = product.left.map((e) => RowError.make(catalogSource.location, item.line, e.reason, e.column, item.key))
        rejects.push({ _tag: "Rejected", line: item.line, key: item.key, errors: errors as [RowError.RowError, ...Array<RowError.RowError>], cells: item.cells })
        return Option.none()
      })
    )
    yield* store.replaceErpSnapshot(rows)
    const rejectsFile = rejects.length === 0 ? undefined : yield* catalog.writeRejects(rejects)

    // The Pipedrive side: what changed since the last pull (or everything) into the snapshot.
    const pulled: Pull.Result = how.pull === false
      ? { mode: "incremental", pulled: 0, gone: [], since: null }
      : yield* Pull.refresh({
        keyOf: (w) => Either.getOrNull(PipedriveSide.keyOf(compiled, w)),
        customFields: pulledCustomFields(compiled),
        ...(how.full === undefined ? {} : { full: how.full })
      })
    const counts = yield* store.pipedriveCounts
    yield* checkMatchable(compiled, counts.unkeyed.length, counts.live)
    const why = compiled.key.pipedrive.kind === "code" ? "it has no product code" : `its "${compiled.key.pipedrive.label}" field is empty`
    const unmatched: Array<Plan.Note> = counts.unkeyed.map((id) => ({ key: `#${id}`, message: `Pipedrive product #${id} cannot be matched: ${why}` }))
    const planInput: PlanStateInput = {
      notes: unmatched,
      rejectedKeys: new Set(rejects.flatMap((r) => (r.key === undefined ? [] : [r.key]))),
      rejectedReasons: rejectReasons(rejects),
      erpRows: catalog.rowCount,
      pipedriveProducts: counts.live,
      mappingText,
      now,
      writeBack: { encoding: catalog.encoding, cannotHold: catalog.unencodable }
    }
    let plan = yield* planState(config, compiled, planInput)
    if (!read && how.pull !== false && !Plan.isEmpty(plan)) {
      // Something will be written: check the state's copy of the fields and currencies first.
      const latest = yield* readAccount(mappingHash)
      if (!sameAccount(latest, account)) {
        const again = compileWith(config, mapping, header, latest, pins)
        if (Either.isLeft(again)) return yield* new ConfigError({ source: config.mapping, subject: "mapping", problems: again.left })
        compiled = again.right
        yield* pinNew(compiled, latest, pins)
        plan = yield* planState(config, compiled, planInput)
      }
    }
    const prepared: Prepared = { plan, compiled, read: catalog, rejects, rejectsFile, skipped: catalog.skipped, planInput, pull: pulled }
    return prepared
  })

const hashOf = (text: string): string => createHash("sha256").update(text).digest("hex")

/** Reads the account's product fields and currencies and keeps them in the state. */
const readAccount = (mappingHash: string) =>
  Effect.gen(function*() {
    const pipedrive = yield* Pipedrive
    const store = yield* Store
    const [fields, currencies] = yield* Effect.all([pipedrive.productFields(), pipedrive.currencies()], { concurrency: 2 })
    const account: AccountCache = { fields, currencies, mappingHash }
    yield* store.setAccountCache(account)
    return account
  })

const sameAccount = (a: AccountCache, b: AccountCache): boolean =>
  JSON.stringify(a.fields) === JSON.stringify(b.fields) && JSON.stringify(a.currencies) === JSON.stringify(b.currencies)

const compileWith = (config: ResolvedConfig, mapping: MappingInput, header: ReadonlyArray<string>, account: AccountCache, pins: ReadonlyArray<PinnedField>) => {
  const currencies = account.currencies as ReadonlyArray<Wire.Currency>
  return Compile.compile(mapping, {
    header,
    fields: account.fields as ReadonlyArray<AccountField>,
    currencies: Currency.ofAccount(currencies),
    pins: pins.map((p) => ({ label: p.label, fieldCode: p.fieldCode, fieldType: p.fieldType })),
    mode: config.policies.mode,
    conflicts: config.policies.conflicts,
    source: config.mapping
  })
}

/** Pins the custom fields this compile resolved for the first time, with their options. */
const pinNew = (compiled: Compile.Compiled, account: AccountCache, pins: ReadonlyArray<PinnedField>) =>
  Effect.gen(function*() {
    const store = yield* Store
    const known = new Set(pins.map((p) => p.label))
    const newPins = compiled.pins.filter((p) => !known.has(p.label))
    if (newPins.length === 0) return
    const byCode = new Map((account.fields as ReadonlyArray<AccountField>).map((f) => [f.field_code, f]))
    yield* store.pinFields(newPins.map((p) => ({ label: p.label, fieldCode: p.fieldCode, fieldType: p.fieldType, options: byCode.get(p.fieldCode)?.options?.map((o) => ({ id: Number(o.id), label: o.label })) ?? null })))
  })

/** The custom fields a pull asks for: the key field (when the key is one) and every mapped one. */
export const pulledCustomFields = (compiled: Compile.Compiled): Array<string> => {
  const key = compiled.key.pipedrive.kind === "custom" ? compiled.key.pipedrive.field?.field_code : undefined
  const mapped = compiled.fields.flatMap((f) => (f.custom ? [f.custom.field_code] : []))
  return [...new Set(key === undefined ? mapped : [key, ...mapped])]
}

/** Pipedrive products that cannot be matched are a note each, unless they are most of the account. */
export class UnmatchableError extends Data.TaggedError("UnmatchableError")<{ readonly message: string }> {}

/** Below this many products, unmatched ones stay notes whatever their share. */
export const unmatchableFloor = 5

const checkMatchable = (compiled: Compile.Compiled, unkeyed: number, live: number) => {
  if (unkeyed < unmatchableFloor || unkeyed * 2 <= live) return Effect.void
  const key = compiled.key.pipedrive
  const what = key.kind === "code" ? "no product code" : `an empty "${key.label}" field`
  const field = key.kind === "code" ? "the product code" : `"${key.label}"`
  return Effect.fail(
    new UnmatchableError({
      message: `refused: ${unkeyed} of ${live} live Pipedrive products have ${what}, the mapping's key (key.pipedrive), so most of the account cannot be matched to the ERP. Nothing was written. Check key.pipedrive in the mapping; if ${field} is filled in Pipedrive, re-read every product with \`catalog-sync sync --full\`.`
    })
  )
}

/**
 * Each rejected row's reasons as one text (`column: reason; …`), the cells' own values left out
 * (`"…"`) so that rows rejected for the same reason count together, for the maxRejectedShare guard.
 */
export const rejectReasons = (rejects: ReadonlyArray<Rejected>): ReadonlyArray<string> =>
  rejects.map((r) => r.errors.map((e) => `${e.column === undefined ? "" : `${e.column}: `}${e.reason.replace(/"(?:[^"\\]|\\.)*"/g, '"…"')}`).join("; "))

export interface PlanStateInput {
  /** Notes about Pipedrive products that cannot take part. */
  readonly notes: ReadonlyArray<Plan.Note>
  readonly rejectedKeys: ReadonlySet<string>
  /** The rejected rows' reasons, one per row (`rejectReasons`). */
  readonly rejectedReasons?: ReadonlyArray<string>
  readonly erpRows: number
  readonly pipedriveProducts: number
  readonly mappingText: string
  readonly now: string
  /** What the write-back can hold (see `WriteBackCheck`): the ERP file's encoding. */
  readonly writeBack: { readonly encoding: string; readonly cannotHold: (text: string) => ReadonlyArray<string> }
}

/**
 * A product of the state's Pipedrive snapshot. The store keeps the products the client decoded
 * (`Wire.Product`) as their JSON, so they are read back with `JSON.parse` alone: no Schema in the
 * planner's hot path (docs/performance.md). `Planner.unchanged` checks the shape of what it reads.
 */
const snapshotProduct = (text: string): Wire.Product => JSON.parse(text)

/**
 * Plans from the state's snapshots, base, links and pending write-backs, walking every key in key
 * order (one SQL query), and fingerprints the inputs as it goes (the stored JSON texts). A linked
 * key that `Planner.unchanged` proves in sync on the stored JSON is counted without decoding; every
 * other key is decoded and planned by `Planner.accumulator`. The links and the agreements of
 * existing products are staged in the state as they are planned (`Store.staged`; the plan counts
 * them in `staged`): memory stays constant in the size of the catalog, a first sync included.
 */
export const planState = (config: ResolvedConfig, compiled: Compile.Compiled, input: PlanStateInput) =>
  Effect.gen(function*() {
    const store = yield* Store
    return yield* Effect.acquireUseRelease(
      store.staged.begin,
      (writer) => planStaged(config, compiled, input, writer),
      (writer) => Effect.sync(() => writer.close())
    )
  })

const planStaged = (config: ResolvedConfig, compiled: Compile.Compiled, input: PlanStateInput, writer: Staged.Writer) =>
  Effect.gen(function*() {
    const store = yield* Store
    let staged: { readonly links: number; readonly agreements: number } | undefined
    const staging: Planner.Staging = {
      link: (l) => writer.link(l.key, l.pipedriveId),
      agree: (a) => writer.agree(a.key, a.path, Field.toJson(a.path, a.value)),
      staged: () => ({ id: writer.id, links: staged?.links ?? 0, agreements: staged?.agreements ?? 0, order: "key" })
    }
    const acc = Planner.accumulator({ compiled, deletes: config.policies.deletes, guards: config.policies.guards }, staging)
    for (const n of input.notes) acc.note(n)
    const pending = new Map<string, Map<Field.Path, Field.Value>>()
    for (const p of yield* store.pendingWritebacks) {
      const m = pending.get(p.key) ?? new Map<Field.Path, Field.Value>()
      m.set(p.field, fromStored(p.value))
      pending.set(p.key, m)
    }
    const hash = createHash("sha256")
    hash.update(input.mappingText)
    hash.update(JSON.stringify(config.policies))
    hash.update(config.erp.writeBack.unencodable)
    const planKey = (k: KeyedText): void => {
      const key = k.key as string
      // Piece by piece (no joined copy of the texts): `key \0 erp \0 link \0 linked \0 others \0 base`.
      hash.update(`${key}\u0000`)
      if (k.erp !== undefined) hash.update(k.erp)
      hash.update(`\u0000${k.link ?? ""}\u0000`)
      hash.update(k.linked?.text ?? "null")
      hash.update(k.others.length === 0 ? "\u0000\u0000" : `\u0000${k.others.map((o) => o.text).join(",")}\u0000`)
      hash.update(k.base)
      const rejected = input.rejectedKeys.has(key)
      const erp: unknown = k.erp === undefined ? undefined : JSON.parse(k.erp)
      const linked = k.linked === undefined ? undefined : snapshotProduct(k.linked.text)
      const base = JSON.parse(k.base) as Record<string, unknown>
      // Unlinked live products with this code (one linked to another key follows its link).
      const candidates = k.others.filter((o) => !o.isDeleted && o.owner === null)
      if (!rejected && erp !== undefined && linked !== undefined && candidates.length === 0 && !pending.has(key) && Planner.unchanged(compiled, key, erp, linked, base)) {
        acc.addUnchanged(key)
        return
      }
      let product: CatalogProduct | undefined
      try {
        product = erp === undefined ? undefined : ProductJson.fromJsonValue(erp)
      } catch (e) {
        throw erpUnreadable(store.path, key, e)
      }
      const baseEntries = Object.entries(base)
      acc.add({
        key,
        erp: product,
        rejected,
        linkedId: k.link,
        linked,
        candidates: candidates.map((o) => snapshotProduct(o.text)),
        base: baseEntries.length === 0 ? undefined : new Map(baseEntries.map(([path, v]) => [path, fromStored(v)])),
        pending: pending.get(key)
      })
    }
    yield* store.forEachKeyText(planKey)
    staged = yield* Effect.try({ try: () => writer.finish(), catch: (e) => StoreError.fromThrown(store.path, "staging the plan", e) })
    for (const [k, m] of [...pending].sort()) for (const [path, v] of [...m].sort()) hash.update(`${k}\u0000${path}\u0000${Field.toJson(path, v)}`)
    const lastRun = yield* store.lastRun({ kind: "sync", status: "succeeded" })
    const plan = acc.finish({
      erpRows: input.erpRows,
      lastErpRows: Option.getOrUndefined(lastRun)?.erpRows ?? undefined,
      pipedriveProducts: input.pipedriveProducts,
      hash: hash.digest("hex"),
      now: input.now,
      ...(input.rejectedReasons === undefined ? {} : { rejectedReasons: input.rejectedReasons })
    })
    const checked = WriteBackCheck.check(plan, { compiled, ...input.writeBack, unencodable: config.erp.writeBack.unencodable, pending })
    // Agreements added by the check sort the whole list by key and path.
    return checked.staged === undefined || checked.agreements.length === plan.agreements.length
      ? checked
      : new Plan.Plan({ ...checked, staged: { ...checked.staged, order: "key-path" } })
  })
