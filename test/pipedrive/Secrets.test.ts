import { HttpClient, UrlParams } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Layer, Logger, LogLevel, Redacted, Tracer } from "effect"
import { randomUUID } from "node:crypto"
import { inspect } from "node:util"
import * as Version from "../../src/Version.js"
import * as Pipedrive from "../../src/pipedrive/Pipedrive.js"
import type { PipedriveError, Reason } from "../../src/pipedrive/PipedriveError.js"
import * as Retry from "../../src/pipedrive/Retry.js"
import { closedPort, emulator, json, quickRetry, scripted, seedOf } from "./Support.js"

/** Everything a client lets out: log lines, span names and attributes, request URLs. */
interface Trail {
  readonly logs: Array<string>
  readonly spans: Array<string>
  readonly urls: Array<string>
}

const capturingLogger = (trail: Trail) =>
  Logger.make(({ annotations, cause, message }) => {
    trail.logs.push(`${inspect(message, { depth: 10 })} ${inspect(annotations, { depth: 10 })} ${Cause.pretty(cause)}`)
  })

/** The running tracer, with every span's name, attributes and events copied into `trail`. */
const capturingTracer = (base: Tracer.Tracer, trail: Trail): Tracer.Tracer =>
  Tracer.make({
    context: (f, fiber) => base.context(f, fiber),
    span: (name, parent, context, links, startTime, kind, options) => {
      trail.spans.push(name)
      const span = base.span(name, parent, context, links, startTime, kind, options)
      return new Proxy(span, {
        get(target, p, receiver) {
          if (p === "attribute") return (k: string, v: unknown) => {
            trail.spans.push(`${k}=${inspect(v)}`)
            target.attribute(k, v)
          }
          if (p === "event") return (n: string, t: bigint, a?: Record<string, unknown>) => {
            trail.spans.push(`${n} ${inspect(a)}`)
            target.event(n, t, a)
          }
          return Reflect.get(target, p, receiver)
        }
      })
    }
  })

/** Node's HTTP client, with the URL of each request it sends copied into `trail`. */
const recordingHttp = (trail: Trail) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (c) =>
      HttpClient.tapRequest(c, (r) => Effect.sync(() => trail.urls.push(`${r.url}?${UrlParams.toString(r.urlParams)}#${r.hash._tag}`))))
  ).pipe(Layer.provide(NodeHttpClient.layer))

const clientOf = (trail: Trail, baseUrl: string, token: string, options: Partial<Pipedrive.Options> = {}) =>
  Pipedrive.makeClient({ baseUrl, token: Redacted.make(token), burstLimit: 100_000, timeoutMs: 2_000, retry: quickRetry(1), ...options }).pipe(
    Effect.provide(recordingHttp(trail))
  )

/** Runs `effect` with the trail's logger (every level) and tracer; returns its failure. */
const failureOf = <A>(trail: Trail, effect: Effect.Effect<A, PipedriveError>) =>
  Effect.gen(function*() {
    const base = yield* Effect.tracer
    return yield* Effect.flip(effect).pipe(
      Effect.withTracer(capturingTracer(base, trail)),
      Effect.provide(Logger.replace(Logger.defaultLogger, capturingLogger(trail))),
      Logger.withMinimumLogLevel(LogLevel.All)
    )
  })

/** Every rendering of an error a person or a log could see. */
const renderings = (e: PipedriveError): ReadonlyArray<string> => [
  e.message,
  String(e),
  JSON.stringify(e),
  inspect(e, { depth: 10 }),
  Cause.pretty(Cause.fail(e)),
  e.stack ?? ""
]

describe("the API token never leaks", () => {
  it.scopedLive("under every failure reason: not in a log line, a span, an error rendering or a URL", () =>
    Effect.gen(function*() {
      const token = `tok-${randomUUID().replaceAll("-", "")}`
      const trail: Trail = { logs: [], spans: [], urls: [] }
      const failures: Array<PipedriveError> = []
      const record = (e: PipedriveError) => Effect.sync(() => failures.push(e))

      const emu = yield* emulator({ token, seed: seedOf(3) })
      const pd = yield* clientOf(trail, emu.baseUrl, token)
      const other = yield* emulator({ token: "another-token-entirely", seed: seedOf(1) })

      yield* Effect.flatMap(failureOf(trail, Effect.flatMap(clientOf(trail, other.baseUrl, token), (c) => c.product(1))), record) // Unauthorized
      yield* Effect.flatMap(failureOf(trail, pd.product(999)), record) // NotFound
      yield* Effect.flatMap(failureOf(trail, pd.createProduct({ name: "" })), record) // Validation
      yield* Effect.flatMap(failureOf(trail, Effect.flatMap(clientOf(trail, emu.baseUrl, token, { tokenCap: 3 }), (c) => c.currencies())), record) // BudgetExhausted (cap)

      emu.setFaults({ serverErrorRate: 1 })
      yield* Effect.flatMap(failureOf(trail, pd.createProduct({ name: "x" })), record) // Server
      emu.setFaults({ resetRate: 1 })
      yield* Effect.flatMap(failureOf(trail, pd.product(1)), record) // Transport
      emu.setFaults({ dropAfterCommitRate: 1 })
      yield* Effect.flatMap(failureOf(trail, pd.createProduct({ name: "dropped" })), record) // Transport, ambiguous
      emu.setFaults({ slowRate: 1, slowMs: 400 })
      yield* Effect.flatMap(failureOf(trail, Effect.flatMap(clientOf(trail, emu.baseUrl, token, { timeoutMs: 100 }), (c) => c.product(1))), record) // Timeout
      emu.setFaults({ rateLimitRate: 1 })
      yield* Effect.flatMap(failureOf(trail, Effect.flatMap(clientOf(trail, emu.baseUrl, token, { retry: Retry.none }), (c) => c.product(2))), record) // RateLimited
      emu.setFaults({})

      const spent = yield* emulator({ token, seed: seedOf(1), dailyBudget: 5 })
      yield* Effect.flatMap(failureOf(trail, Effect.flatMap(clientOf(trail, spent.baseUrl, token), (c) => c.productFields())), record) // BudgetExhausted (daily)

      const port = yield* closedPort
      yield* Effect.flatMap(failureOf(trail, Effect.flatMap(clientOf(trail, `http://127.0.0.1:${port}`, token), (c) => c.product(1))), record) // Transport (refused)

      // a server that echoes the token back, in error texts and in bodies that do not decode
      const echo = yield* scripted((req, res) => {
        if (req.url.startsWith("/api/v2/products/1")) return json(res, 400, { success: false, error: `bad token ${token}?`, code: token })
        if (req.url.startsWith("/api/v2/products/2")) return json(res, 200, { success: true, data: { id: token, name: token, prices: [] } })
        if (req.url.startsWith("/api/v2/products/3")) {
          res.writeHead(403, { "content-type": "text/html" })
          return res.end(`<p>denied for ${token}</p>`)
        }
        res.writeHead(200, { "content-type": "text/plain" })
        res.end(`not json ${token}`)
      })
      const echoing = yield* clientOf(trail, echo.baseUrl, token)
      yield* Effect.flatMap(failureOf(trail, echoing.product(1)), record) // Validation, echoed
      yield* Effect.flatMap(failureOf(trail, echoing.product(2)), record) // Decode, echoed
      yield* Effect.flatMap(failureOf(trail, echoing.product(3)), record) // Forbidden, echoed
      yield* Effect.flatMap(failureOf(trail, echoing.currencies()), record) // Decode (not JSON), echoed

      const reasons = new Set<Reason>(failures.map((f) => f.reason))
      assert.deepStrictEqual(
        [...reasons].sort(),
        ["BudgetExhausted", "Decode", "Forbidden", "NotFound", "RateLimited", "Server", "Timeout", "Transport", "Unauthorized", "Validation"]
      )
      assert.isTrue(failures.some((f) => f.ambiguous))
      assert.include(failures.find((f) => f.reason === "Validation" && f.status === 400 && f.detail.startsWith("bad token"))?.message ?? "", "[redacted]")

      const everything = [...failures.flatMap(renderings), ...trail.logs, ...trail.spans, ...trail.urls]
      assert.isAbove(trail.logs.length, 0)
      assert.isAbove(trail.spans.length, 0)
      assert.isAbove(trail.urls.length, 10)
      for (const line of everything) assert.notInclude(line, token)
      // the request headers did reach the spans, redacted
      assert.isTrue(trail.spans.some((s) => s.startsWith("http.request.header.x-api-token=")))

      // and the token did travel, in the x-api-token header only
      const seen = echo.seen[0]!
      assert.strictEqual(seen.headers["x-api-token"], token)
      const others = Object.entries(seen.headers).filter(([k]) => k !== "x-api-token").map(([k, v]) => `${k}: ${String(v)}`)
      for (const h of [...others, ...echo.seen.map((s) => s.url)]) assert.notInclude(h, token)
      assert.match(String(seen.headers["user-agent"]), new RegExp(`^${Version.name}/${Version.version.replaceAll(".", "\\.")} `))
    }))
})
