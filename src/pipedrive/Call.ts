/**
 * One call to Pipedrive, start to end: wait at the rate gate (which charges the token cost), send
 * with the token in `x-api-token` only, bound the attempt by the timeout, read the rate-limit
 * headers back into the gate, turn the status and Pipedrive's error body into a `PipedriveError`,
 * decode the body at the edge, retry what is safe to retry, and count it all.
 *
 * Errors of the HTTP platform are never passed on (their request object holds the headers, hence
 * the token): they become `Transport` errors whose text is the network error's code and message.
 */
import { Headers, HttpClient, HttpClientRequest, type HttpClientError, type HttpClientResponse } from "@effect/platform"
import { Clock, Duration, Effect, ParseResult, Redacted, Schema } from "effect"
import type * as Schedule from "effect/Schedule"
import type * as Accounting from "./Accounting.js"
import * as Endpoint from "./Endpoint.js"
import { PipedriveError, type Reason, scrub } from "./PipedriveError.js"
import type * as RateGate from "./RateGate.js"
import * as Retry from "./Retry.js"
import * as Wire from "./Wire.js"

export interface Context {
  readonly http: HttpClient.HttpClient
  readonly baseUrl: string
  readonly token: Redacted.Redacted<string>
  readonly userAgent: string
  readonly timeout: Duration.Duration
  readonly retry: Schedule.Schedule<unknown, PipedriveError>
  readonly gate: RateGate.RateGate
  readonly accounting: Accounting.Accounting
}

export interface Request {
  readonly id?: number
  readonly params?: Readonly<Record<string, string>>
  readonly body?: unknown
}

/** A 429 whose wait is longer than this is the daily budget, not the 2-second burst window. */
export const dailyBudgetThresholdMs = 60_000

/** Network errors raised before a request leaves this machine: such a request surely was not applied. */
const notSentCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_INVALID_URL",
  "ERR_INVALID_PROTOCOL"
])

const fail = (
  endpoint: Endpoint.Endpoint,
  reason: Reason,
  detail: string,
  extra: { readonly status?: number; readonly ambiguous?: boolean; readonly retryAfterMs?: number } = {}
): PipedriveError =>
  new PipedriveError({
    reason,
    method: endpoint.method,
    path: endpoint.template,
    detail,
    ambiguous: extra.ambiguous ?? false,
    ...(extra.status === undefined ? {} : { status: extra.status }),
    ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs })
  })

/** Reads: nothing to be ambiguous about. Writes: unknown outcome once the request may have left. */
const mayBeApplied = (endpoint: Endpoint.Endpoint): boolean => endpoint.method !== "GET"

const describeCause = (cause: unknown): { readonly text: string; readonly code: string | undefined } => {
  if (typeof cause === "object" && cause !== null) {
    const code = "code" in cause && typeof cause.code === "string" ? cause.code : undefined
    const message = "message" in cause && typeof cause.message === "string" ? cause.message : ""
    return { text: [code, message].filter((s) => s !== undefined && s !== "").join(": ") || "network error", code }
  }
  return { text: "network error", code: undefined }
}

const transportError = (endpoint: Endpoint.Endpoint, error: HttpClientError.HttpClientError, secret: string): PipedriveError => {
  const { code, text } = describeCause(error.cause)
  const notSent = error._tag === "RequestError" && (error.reason === "InvalidUrl" || (code !== undefined && notSentCodes.has(code)))
  return fail(endpoint, "Transport", scrub(`${error.reason === "InvalidUrl" ? "invalid URL" : text}`, secret), {
    ambiguous: !notSent && mayBeApplied(endpoint)
  })
}

const numberHeader = (headers: Headers.Headers, name: string): number | undefined => {
  const raw = headers[name]
  if (raw === undefined || raw.trim() === "") return undefined
  const n = Number(raw)
  return Number.isFinite(n) ? n : undefined
}

/** `retry-after` in seconds or as an HTTP date; else `x-ratelimit-reset` (seconds). */
const retryAfterMs = (headers: Headers.Headers, now: number): number | undefined => {
  const raw = headers["retry-after"]
  if (raw !== undefined) {
    const seconds = Number(raw)
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
    const date = Date.parse(raw)
    if (Number.isFinite(date)) return Math.max(0, date - now)
  }
  const reset = numberHeader(headers, "x-ratelimit-reset")
  return reset === undefined ? undefined : Math.max(0, reset * 1000)
}

/** Pipedrive's error text from a body: `error`, `error_info`, `code`; or a note on what came instead. */
const errorText = (body: string, contentType: string | undefined): string => {
  const parsed = (() => {
    try {
      return JSON.parse(body) as unknown
    } catch {
      return undefined
    }
  })()
  const decoded = Schema.decodeUnknownOption(Wire.ErrorBody)(parsed)
  if (decoded._tag === "Some" && decoded.value.error) {
    const { code, error, error_info } = decoded.value
    const info = error_info && error_info !== error ? ` (${error_info})` : ""
    return `${error}${info}${code !== undefined && code !== null ? ` [${code}]` : ""}`
  }
  if (body.trim() === "") return "empty body"
  const kind = contentType?.split(";")[0]?.trim() ?? "unknown content type"
  return `unexpected ${kind} body: ${body.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 160)}`
}

const statusReason = (status: number): Reason => {
  if (status === 401) return "Unauthorized"
  if (status === 402 || status === 403) return "Forbidden"
  if (status === 404 || status === 410) return "NotFound"
  if (status === 429) return "RateLimited"
  if (status >= 500) return "Server"
  return "Validation"
}

const decodeMessage = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .slice(0, 3)
    .map((i) => `at ${i.path.length === 0 ? "(root)" : i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "")}: ${i.message.slice(0, 200)}`)
    .join("; ")

/** Makes `call`, the one way the client talks to Pipedrive. */
export const make = (ctx: Context) => {
  const secret = Redacted.value(ctx.token)
  const base = ctx.baseUrl.replace(/\/+$/, "")

  const observe = (endpoint: Endpoint.Endpoint, response: HttpClientResponse.HttpClientResponse) =>
    Effect.gen(function*() {
      const h = response.headers
      yield* ctx.gate.observe({
        limit: numberHeader(h, "x-ratelimit-limit"),
        remaining: numberHeader(h, "x-ratelimit-remaining"),
        resetMs: ((s) => (s === undefined ? undefined : s * 1000))(numberHeader(h, "x-ratelimit-reset"))
      })
      const left = numberHeader(h, "x-daily-requests-left")
      if (left !== undefined) yield* ctx.accounting.dailyRequestsLeft(left)
      const date = h["date"] === undefined ? Number.NaN : Date.parse(h["date"])
      if (Number.isFinite(date)) yield* ctx.accounting.serverTime(date)
      if (response.status === 429) yield* ctx.accounting.record(endpoint, { rateLimited: 1 })
    })

  /** The failure a non-2xx response stands for (429: pauses the gate, or ends the run on the daily budget). */
  const refusal = (endpoint: Endpoint.Endpoint, response: HttpClientResponse.HttpClientResponse, body: string) =>
    Effect.gen(function*() {
      const status = response.status
      const detail = scrub(errorText(body, response.headers["content-type"]), secret)
      if (status === 429) {
        const now = yield* Clock.currentTimeMillis
        const wait = retryAfterMs(response.headers, now)
        const daily = /daily|budget/i.test(detail) || (wait !== undefined && wait > dailyBudgetThresholdMs)
        if (daily) {
          return fail(endpoint, "BudgetExhausted", detail, { status, ...(wait === undefined ? {} : { retryAfterMs: wait }) })
        }
        const pause = wait ?? 2000
        yield* ctx.gate.pause(pause)
        return fail(endpoint, "RateLimited", detail, { status, retryAfterMs: pause })
      }
      const reason = statusReason(status)
      return fail(endpoint, reason, detail, { status, ambiguous: reason === "Server" && mayBeApplied(endpoint) })
    })

  /** One attempt; `retry` says whether it repeats an earlier one (counted once it is sent). */
  const attempt = <A, I>(endpoint: Endpoint.Endpoint, request: Request, schema: Schema.Schema<A, I>, retry: boolean) =>
    Effect.gen(function*() {
      let req = HttpClientRequest.make(endpoint.method)(`${base}${Endpoint.path(endpoint, request.id)}`).pipe(
        HttpClientRequest.setHeaders({ accept: "application/json", "user-agent": ctx.userAgent, "x-api-token": secret })
      )
      if (request.params !== undefined) req = HttpClientRequest.setUrlParams(req, request.params)
      if (request.body !== undefined) req = HttpClientRequest.bodyUnsafeJson(req, request.body)

      const exchange = Effect.gen(function*() {
        yield* ctx.accounting.record(endpoint, { requests: 1, tokens: endpoint.cost, retries: retry ? 1 : 0 })
        const response = yield* ctx.http.execute(req)
        const text = yield* response.text
        return { response, text }
      }).pipe(
        Effect.mapError((e) => transportError(endpoint, e, secret)),
        Effect.timeoutFail({
          duration: ctx.timeout,
          onTimeout: () =>
            fail(endpoint, "Timeout", `no complete response within ${Duration.format(ctx.timeout)}`, { ambiguous: mayBeApplied(endpoint) })
        }),
        Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, "x-api-token"]),
        (send) => ctx.gate.withSlot(endpoint, send)
      )
      const { response, text } = yield* exchange
      yield* observe(endpoint, response)
      if (response.status < 200 || response.status >= 300) return yield* Effect.flatMap(refusal(endpoint, response, text), Effect.fail)

      // a write answered 2xx was applied: if its answer cannot be read, its result must be looked up
      const undecodable = (detail: string) =>
        fail(endpoint, "Decode", scrub(detail, secret), { status: response.status, ambiguous: mayBeApplied(endpoint) })
      const json = yield* Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: () => undecodable(`the ${response.status} response is not JSON: ${text.slice(0, 120)}`)
      })
      return yield* Schema.decodeUnknown(schema)(json).pipe(Effect.mapError((e) => undecodable(`unexpected response body ${decodeMessage(e)}`)))
    })

  /** Sends one request and decodes its body with `schema`, retrying what is safe to retry. */
  const call = <A, I>(endpoint: Endpoint.Endpoint, request: Request, schema: Schema.Schema<A, I>): Effect.Effect<A, PipedriveError> => {
    const retryable = Retry.shouldRetry(endpoint)
    return Effect.suspend(() => {
      let attempts = 0
      const one = Effect.suspend(() => attempt(endpoint, request, schema, attempts++ > 0)).pipe(Effect.tapError((e) => (retryable(e) ? Effect.logWarning(`Pipedrive: ${e.message}`) : Effect.void)))
      return Effect.retry(one, { schedule: ctx.retry, while: retryable })
    }).pipe(
      Effect.tapError(() => ctx.accounting.record(endpoint, { failures: 1 })),
      Effect.withSpan(`Pipedrive ${Endpoint.key(endpoint)}`, { attributes: { "pipedrive.endpoint": Endpoint.key(endpoint) } })
    )
  }

  return call
}
