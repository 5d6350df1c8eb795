/**
 * Refreshes the Pipedrive snapshot in the state (DESIGN §2 step 2) incrementally: only the products
 * updated since the watermark. The watermark is the server's clock when the pull began (its `Date`
 * header, less the pull's own duration) minus an overlap window for edits in flight — never the
 * newest `update_time` seen, which on a bulk-imported account (every product with one update time)
 * would re-read the whole catalog every night. Re-read products are upserted by id, so reading one
 * twice is harmless. A list never shows deleted products, so a full pass — which replaces the
 * snapshot and reports the ids gone — runs every `fullEvery` pulls, on demand (`--full`), and on the
 * first pull. A pull with nothing changed costs one list page.
 */
import { Clock, Effect, Stream } from "effect"
import { Pipedrive } from "../pipedrive/Pipedrive.js"
import type * as Wire from "../pipedrive/Wire.js"
import { Store } from "../store/Store.js"

export interface Options {
  /** The product's key on the Pipedrive side (`PipedriveSide.keyOf` through the compiled mapping), or `null`. */
  readonly keyOf: (product: Wire.Product) => string | null
  /** Custom field keys to include (the client sends at most 15). */
  readonly customFields?: ReadonlyArray<string>
  /** Force a full pass. */
  readonly full?: boolean
  /** A full pass every this many pulls (default 7). */
  readonly fullEvery?: number
  /** Seconds re-read before the watermark (default 300). */
  readonly overlapSeconds?: number
}

export interface Result {
  readonly mode: "full" | "incremental"
  /** Products read from Pipedrive. */
  readonly pulled: number
  /** Ids in the snapshot that a full pass no longer found (deleted for good, or hidden). */
  readonly gone: ReadonlyArray<number>
  /** The `updated_since` asked for (incremental pulls). */
  readonly since: string | null
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

/** Pulls what changed in Pipedrive into the state's snapshot and moves the watermark. */
export const refresh = (options: Options) =>
  Effect.gen(function*() {
    const pd = yield* Pipedrive
    const store = yield* Store
    const watermark = yield* store.watermark
    const fullEvery = Math.max(1, options.fullEvery ?? 7)
    const overlapMs = (options.overlapSeconds ?? 300) * 1000
    const full = options.full === true || watermark.updatedSince === null || watermark.runsSinceFull + 1 >= fullEvery
    let newest = Number.NEGATIVE_INFINITY
    let pulled = 0
    const since = full ? null : (watermark.updatedSince as string)
    const startedLocal = yield* Clock.currentTimeMillis
    const rows = pd.products({
      ...(since === null ? {} : { updatedSince: new Date(since) }),
      ...(options.customFields === undefined ? {} : { customFields: options.customFields })
    }).pipe(
      Stream.map((w) => {
        pulled++
        const t = w.update_time === undefined || w.update_time === null ? Number.NaN : Date.parse(w.update_time.includes("T") ? w.update_time : `${w.update_time.replace(" ", "T")}Z`)
        if (Number.isFinite(t) && t > newest) newest = t
        return { id: w.id, code: options.keyOf(w), updateTime: w.update_time ?? null, isDeleted: w.is_deleted === true, product: w }
      })
    )
    const gone = full ? yield* store.replacePipedriveSnapshot(rows) : (yield* store.upsertPipedriveProducts(rows), [])
    // The next pull starts an overlap before this one began, by the server's clock (never ours):
    // its last `Date` less the time the pull took. Without a `Date` header, an overlap before the
    // newest change seen. Never earlier than where this pull started.
    const serverTime = (yield* pd.accounting).serverTime
    const elapsed = (yield* Clock.currentTimeMillis) - startedLocal
    const began = serverTime === undefined ? newest : serverTime - elapsed
    const previous = since === null ? Number.NEGATIVE_INFINITY : Date.parse(since)
    const next = Number.isFinite(began) ? Math.max(previous, began - overlapMs) : previous
    const updatedSince = Number.isFinite(next) ? iso(next) : since
    yield* store.setWatermark({ updatedSince, runsSinceFull: full ? 0 : watermark.runsSinceFull + 1 })
    const result: Result = { mode: full ? "full" : "incremental", pulled, gone, since }
    return result
  })
