/**
 * What the state remembers of the Pipedrive account: for each custom field a mapping names by its
 * label, the key, type and options Pipedrive gave it when it was pinned (a field renamed, re-created
 * or retyped since is noticed before any write), and the account's product fields and currencies
 * as last read.
 */
import { Effect, Option } from "effect"
import { nowIso, type Sql } from "./Sql.js"
import type * as StoreError from "./StoreError.js"

export interface FieldOption {
  readonly id: number
  readonly label: string
}

/**
 * The account's product fields and currencies as last read from Pipedrive (the API's JSON), with
 * the hash of the mapping they were read for: a run whose mapping is unchanged compiles from them,
 * and reads them again only when it will write something.
 */
export interface AccountCache {
  readonly fields: ReadonlyArray<unknown>
  readonly currencies: ReadonlyArray<unknown>
  readonly mappingHash: string
}

export interface PinnedField {
  readonly label: string
  /** Pipedrive's 40-character key. */
  readonly fieldCode: string
  readonly fieldType: string
  readonly options: ReadonlyArray<FieldOption> | null
  readonly pinnedAt: string
}
export type NewPinnedField = Omit<PinnedField, "pinnedAt">

export interface Operations {
  /** The account's fields and currencies as last read, if they were. */
  readonly accountCache: Effect.Effect<Option.Option<AccountCache>, StoreError.StoreError>
  readonly setAccountCache: (cache: AccountCache) => Effect.Effect<void, StoreError.StoreError>

  readonly pinnedFields: Effect.Effect<ReadonlyArray<PinnedField>, StoreError.StoreError>
  /** Pins (or re-pins) these fields' keys, stamped with the current time. */
  readonly pinFields: (fields: Iterable<NewPinnedField>) => Effect.Effect<void, StoreError.StoreError>
  readonly unpinField: (label: string) => Effect.Effect<void, StoreError.StoreError>
}

/** The account's operations (prepares their statements: call inside `Sql.attempt`). */
export const make = ({ prepare, attempt, write }: Sql): Operations => {
  const q = {
    metaGet: prepare("SELECT value FROM meta WHERE key = ?").pluck(),
    metaSet: prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
    pinnedAll: prepare("SELECT label, field_code, field_type, options, pinned_at FROM pinned_fields ORDER BY label"),
    pinnedSet: prepare(
      "INSERT INTO pinned_fields (label, field_code, field_type, options, pinned_at) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (label) DO UPDATE SET field_code = excluded.field_code, field_type = excluded.field_type, " +
        "options = excluded.options, pinned_at = excluded.pinned_at"
    ),
    pinnedDelete: prepare("DELETE FROM pinned_fields WHERE label = ?")
  }
  return {
    accountCache: attempt("reading the account's fields", () => {
      const text = q.metaGet.get("pipedrive.account") as string | undefined
      if (text === undefined) return Option.none()
      const v = JSON.parse(text) as Partial<AccountCache>
      return Array.isArray(v.fields) && Array.isArray(v.currencies) && typeof v.mappingHash === "string"
        ? Option.some({ fields: v.fields, currencies: v.currencies, mappingHash: v.mappingHash })
        : Option.none()
    }),
    setAccountCache: (cache) => write("saving the account's fields", () => void q.metaSet.run("pipedrive.account", JSON.stringify(cache))),

    pinnedFields: attempt("reading the pinned fields", () =>
      (q.pinnedAll.all() as Array<{ label: string; field_code: string; field_type: string; options: string | null; pinned_at: string }>).map(
        (r): PinnedField => ({
          label: r.label,
          fieldCode: r.field_code,
          fieldType: r.field_type,
          options: r.options === null ? null : (JSON.parse(r.options) as ReadonlyArray<FieldOption>),
          pinnedAt: r.pinned_at
        })
      )),
    pinFields: (fields) =>
      Effect.flatMap(nowIso, (now) =>
        write("pinning custom fields", () => {
          for (const f of fields) {
            q.pinnedSet.run(f.label, f.fieldCode, f.fieldType, f.options === null ? null : JSON.stringify(f.options), now)
          }
        })),
    unpinField: (label) => write("unpinning a custom field", () => void q.pinnedDelete.run(label))
  }
}
