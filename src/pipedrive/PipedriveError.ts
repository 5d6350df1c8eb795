/**
 * The one error of the Pipedrive client. `reason` says what went wrong; the message names the
 * request (method and path template, never a URL with ids or parameters), the HTTP status and
 * Pipedrive's own error text. It never carries the API token, nor the platform's request object
 * (whose headers hold it): causes are kept as text only.
 *
 * `ambiguous` marks a write whose outcome is unknown — it may have been applied (a timeout, a
 * dropped connection or a 5xx after the request was sent). A create that fails ambiguously is
 * never retried by the client: the caller looks the product up by its key first.
 */
import { Schema } from "effect"

export const Reason = Schema.Literal(
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "Validation",
  "RateLimited",
  "BudgetExhausted",
  "Server",
  "Transport",
  "Timeout",
  "Decode"
)
export type Reason = typeof Reason.Type

export class PipedriveError extends Schema.TaggedError<PipedriveError>()("PipedriveError", {
  reason: Reason,
  /** `GET`, `POST`, … */
  method: Schema.String,
  /** The endpoint's path template, such as `/api/v2/products/{id}`. */
  path: Schema.String,
  /** The HTTP status, when a response came back. */
  status: Schema.optional(Schema.Int),
  /** Pipedrive's error text (or ours, when no response explains it), token-free. */
  detail: Schema.String,
  /** The write may have been applied; it must be looked up before being sent again. */
  ambiguous: Schema.Boolean,
  /** How long Pipedrive asked us to wait (429), in milliseconds. */
  retryAfterMs: Schema.optional(Schema.Number)
}) {
  override get message(): string {
    const status = this.status === undefined ? "" : ` → ${this.status}`
    const wait = this.retryAfterMs === undefined ? "" : ` (retry after ${Math.ceil(this.retryAfterMs / 1000)} s)`
    const outcome = this.ambiguous ? " — outcome unknown: the request may have been applied" : ""
    return `${this.method} ${this.path}${status} ${this.reason}: ${this.detail}${wait}${outcome}`
  }
}

/** Failures worth another attempt when the request is safe to repeat. */
const transient: ReadonlySet<Reason> = new Set<Reason>(["RateLimited", "Server", "Transport", "Timeout"])

export const isTransient = (error: PipedriveError): boolean => transient.has(error.reason)

/**
 * Replaces every occurrence of `secret` in `text`: a server echoing the token must not leak it.
 * Secrets shorter than 8 characters are left alone (real API tokens are 40 hex characters; a
 * very short one would blank out ordinary words).
 */
export const scrub = (text: string, secret: string): string =>
  secret.length < 8 ? text : text.split(secret).join("[redacted]")
