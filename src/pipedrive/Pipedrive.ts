/**
 * The engine's only door to a customer's Pipedrive: products (a Stream over cursor pages, by id,
 * by ids, by code; create, update, delete), product fields (every page; create a custom field) and
 * currencies, over API v2 (`/v1/currencies` has no v2 twin). Every call goes through the rate
 * gate, the retry policy and the accounting of its client (`Call`); every failure is a
 * `PipedriveError`.
 *
 * `Pipedrive.layer(options)` needs an `HttpClient` (the composition root gives Node's).
 * `optionsFromConfig` turns the resolved configuration (and, for the emulator target, the running
 * emulator's address and token) into options.
 */
import { HttpClient } from "@effect/platform"
import { Chunk, Context, DateTime, Duration, Effect, Either, Layer, Option, Redacted, Schema, Stream } from "effect"
import type * as Schedule from "effect/Schedule"
import type { ResolvedConfig } from "../config/SyncConfig.js"
import * as Version from "../Version.js"
import * as Accounting from "./Accounting.js"
import * as Call from "./Call.js"
import * as Endpoint from "./Endpoint.js"
import type { PipedriveError } from "./PipedriveError.js"
import * as RateGate from "./RateGate.js"
import * as Retry from "./Retry.js"
import * as Wire from "./Wire.js"

export interface Options {
  /** `https://acme.pipedrive.com`, or the emulator's `http://127.0.0.1:PORT` (no `/api/v2`). */
  readonly baseUrl: string
  readonly token: Redacted.Redacted<string>
  /** Requests per 2 s for this token (the plan's burst limit). */
  readonly burstLimit: number
  /** Stop before this run spends more tokens than this. */
  readonly tokenCap?: number | undefined
  /** One attempt's bound, response body included (default 30 s). */
  readonly timeoutMs?: number
  /** The retry schedule (default `Retry.schedule()`); only safe retries are ever made. */
  readonly retry?: Schedule.Schedule<unknown, PipedriveError>
  /** Finer settings of the rate gate (window, safety share, search limit). */
  readonly gate?: Omit<RateGate.Options, "burstLimit" | "tokenCap">
}

export interface ProductsQuery {
  /** Only products with `update_time` at or after this instant (sent in whole seconds, rounded down). */
  readonly updatedSince?: DateTime.DateTime | Date
  /** Custom field keys to include (at most 15 are sent; with more, every custom field comes back). */
  readonly customFields?: ReadonlyArray<string>
  /** Page size, 1–500 (default 500). */
  readonly limit?: number
}

export interface Service {
  /** Every product, page by page (cursor pagination). */
  readonly products: (query?: ProductsQuery) => Stream.Stream<Wire.Product, PipedriveError>
  readonly product: (id: number) => Effect.Effect<Wire.Product, PipedriveError>
  /** The products with these ids, 100 per call; ids not found (or not visible) are left out. */
  readonly productsByIds: (ids: Iterable<number>) => Effect.Effect<ReadonlyArray<Wire.Product>, PipedriveError>
  /** The products whose `code` is exactly `code` (Pipedrive matches case-insensitively; this keeps exact matches). */
  readonly searchByCode: (code: string) => Effect.Effect<ReadonlyArray<Wire.SearchItem>, PipedriveError>
  /** Never retried once it may have been sent: an `ambiguous` failure means "look it up first". */
  readonly createProduct: (product: Wire.ProductCreate) => Effect.Effect<Wire.Product, PipedriveError>
  /** PATCH: only the fields given change; `prices`, when given, replaces the whole array. */
  readonly updateProduct: (id: number, patch: Wire.ProductPatch) => Effect.Effect<Wire.Product, PipedriveError>
  /** Soft delete; returns the id. */
  readonly deleteProduct: (id: number) => Effect.Effect<number, PipedriveError>
  /** Every product field, built-in and custom, all pages. */
  readonly productFields: () => Effect.Effect<ReadonlyArray<Wire.ProductField>, PipedriveError>
  readonly createProductField: (field: Wire.ProductFieldCreate) => Effect.Effect<Wire.ProductField, PipedriveError>
  readonly currencies: () => Effect.Effect<ReadonlyArray<Wire.Currency>, PipedriveError>
  /** Requests, tokens, retries and 429s per endpoint so far. */
  readonly accounting: Effect.Effect<Accounting.Snapshot>
  /** The rate gate's view: tokens spent, the cap, the limit in use. */
  readonly gate: Effect.Effect<RateGate.Snapshot>
}

const maxCustomFieldKeys = 15
const idsPerCall = 100

/** RFC 3339 in whole seconds: Pipedrive is reported to reject fractional seconds. */
export const formatUpdatedSince = (at: DateTime.DateTime | Date): string => {
  const ms = at instanceof Date ? at.getTime() : DateTime.toEpochMillis(at)
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")
}

const userAgent = `${Version.name}/${Version.version} (+node ${process.versions.node})`

const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const gate = yield* RateGate.make({ ...options.gate, burstLimit: options.burstLimit, tokenCap: options.tokenCap })
    const accounting = yield* Accounting.make
    const call = Call.make({
      http,
      baseUrl: options.baseUrl,
      token: options.token,
      userAgent,
      timeout: Duration.millis(options.timeoutMs ?? 30_000),
      retry: options.retry ?? Retry.schedule(),
      gate,
      accounting
    })

    /** Every item of a cursor-paginated endpoint; `items` reads one page's items. */
    const pages = <P extends Wire.Paged, I, A>(
      endpoint: Endpoint.Endpoint,
      params: Readonly<Record<string, string>>,
      page: Schema.Schema<P, I>,
      items: (page: P) => ReadonlyArray<A>
    ): Stream.Stream<A, PipedriveError> =>
      Stream.paginateChunkEffect(undefined as string | undefined, (cursor) =>
        Effect.map(
          call(endpoint, { params: cursor === undefined ? params : { ...params, cursor } }, page),
          (p) => [Chunk.fromIterable(items(p)), Option.fromNullable(p.additional_data?.next_cursor)] as const
        ))

    const ProductPage = Wire.Page(Wire.Product)
    const ProductEnvelope = Wire.Envelope(Wire.Product)

    const products = (query: ProductsQuery = {}) => {
      const params: Record<string, string> = { limit: String(Math.min(500, Math.max(1, query.limit ?? 500))) }
      if (query.updatedSince !== undefined) params.updated_since = formatUpdatedSince(query.updatedSince)
      const keys = query.customFields ?? []
      if (keys.length > 0 && keys.length <= maxCustomFieldKeys) params.custom_fields = keys.join(",")
      return pages(Endpoint.listProducts, params, ProductPage, (p) => p.data)
    }

    const productsByIds = (ids: Iterable<number>) => {
      const unique = [...new Set(ids)]
      const batches = Array.from({ length: Math.ceil(unique.length / idsPerCall) }, (_, i) => unique.slice(i * idsPerCall, (i + 1) * idsPerCall))
      return Stream.fromIterable(batches).pipe(
        Stream.flatMap((batch) => pages(Endpoint.listProducts, { ids: batch.join(","), limit: String(idsPerCall) }, ProductPage, (p) => p.data)),
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray)
      )
    }

    const searchByCode = (code: string) =>
      pages(
        Endpoint.searchProducts,
        { term: code, fields: "code", exact_match: "true", limit: "500" },
        Wire.SearchPage,
        (p) => p.data.items.map((i) => i.item)
      ).pipe(
        Stream.filter((item) => item.code !== undefined && item.code !== null && String(item.code) === code),
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray)
      )

    return {
      products,
      product: (id) => Effect.map(call(Endpoint.getProduct, { id }, ProductEnvelope), (r) => r.data),
      productsByIds,
      searchByCode,
      createProduct: (product) => Effect.map(call(Endpoint.createProduct, { body: product }, ProductEnvelope), (r) => r.data),
      updateProduct: (id, patch) => Effect.map(call(Endpoint.updateProduct, { id, body: patch }, ProductEnvelope), (r) => r.data),
      deleteProduct: (id) => Effect.map(call(Endpoint.deleteProduct, { id }, Wire.Deleted), (r) => r.data.id),
      productFields: () =>
        pages(Endpoint.listProductFields, { limit: "500" }, Wire.Page(Wire.ProductField), (p) => p.data).pipe(
          Stream.runCollect,
          Effect.map(Chunk.toReadonlyArray)
        ),
      createProductField: (field) =>
        Effect.map(call(Endpoint.createProductField, { body: field }, Wire.Envelope(Wire.ProductField)), (r) => r.data),
      currencies: () => Effect.map(call(Endpoint.listCurrencies, {}, Wire.Envelope(Schema.Array(Wire.Currency))), (r) => r.data),
      accounting: accounting.snapshot,
      gate: gate.snapshot
    } satisfies Service
  })

export class Pipedrive extends Context.Tag("catalog-sync/Pipedrive")<Pipedrive, Service>() {
  /** The client over the `HttpClient` in context. */
  static layer(options: Options): Layer.Layer<Pipedrive, never, HttpClient.HttpClient> {
    return Layer.effect(Pipedrive, make(options))
  }
}

/** Builds the client as a value (for callers that hold more than one, such as benchmarks). */
export const makeClient = make

/** Where a client sends its calls: the API's origin and the token. */
export interface Address {
  readonly baseUrl: string
  readonly token: Redacted.Redacted<string> | string
}

/**
 * The client options of a resolved configuration. A `Remote` target carries its address; the
 * `Emulator` target needs the running emulator's (its `baseUrl` and `token`), or this fails.
 */
export const optionsFromConfig = (
  pipedrive: ResolvedConfig["pipedrive"],
  emulator?: Address
): Either.Either<Options, string> => {
  const address: Address | undefined = pipedrive.target._tag === "Remote" ? pipedrive.target : emulator
  if (address === undefined) return Either.left("the Pipedrive target is the emulator, but no running emulator was given")
  return Either.right({
    baseUrl: address.baseUrl,
    token: Redacted.isRedacted(address.token) ? address.token : Redacted.make(address.token),
    burstLimit: pipedrive.burstLimit,
    tokenCap: pipedrive.tokenCap,
    timeoutMs: pipedrive.timeoutMs
  })
}

/** `https://acme.pipedrive.com` for the company domain `acme`. */
export const baseUrlOfDomain = (companyDomain: string): string => `https://${companyDomain}.pipedrive.com`
