/**
 * Response bodies in Pipedrive's shapes (pipedrive-api.md §5.4, §6): the success envelope and the
 * error bodies for 400, 401, 404, 405, 413, 429 (burst and daily budget) and 5xx.
 */

export interface Reply {
  readonly status: number
  /** Serialised JSON. */
  readonly body: string
  readonly headers?: Readonly<Record<string, string>>
}

const json = (status: number, value: unknown, headers?: Readonly<Record<string, string>>): Reply =>
  headers === undefined ? { status, body: JSON.stringify(value) } : { status, body: JSON.stringify(value), headers }

export const ok = (data: unknown, status = 200): Reply => json(status, { success: true, data })

export const page = (data: unknown, additional: unknown): Reply => json(200, { success: true, data, additional_data: additional })

export const validation = (message: string): Reply =>
  json(400, { success: false, error: `Validation failed: ${message}`, code: "ERR_SCHEMA_VALIDATION_FAILED" })

export const unauthorized: Reply = json(401, {
  success: false,
  error: "unauthorized access",
  errorCode: 401,
  error_info: "Please check developers.pipedrive.com"
})

export const notFound: Reply = json(404, {
  success: false,
  error: "Entity was not found",
  error_info: "Object was not found.",
  data: null,
  additional_data: null
})

export const unknownRoute = (method: string, path: string): Reply =>
  json(404, { success: false, error: `Unknown route ${method} ${path}`, error_info: "Please check developers.pipedrive.com", data: null, additional_data: null })

export const methodNotAllowed = (allowed: ReadonlyArray<string>): Reply =>
  json(405, { success: false, error: "Method not allowed", error_info: "Please check developers.pipedrive.com", data: null, additional_data: null }, { allow: allowed.join(", ") })

export const tooManyRequests = (retryAfter: number): Reply =>
  json(429, { success: false, error: "Too many requests", errorCode: 429 }, { "retry-after": String(retryAfter) })

export const dailyBudgetExceeded = (retryAfter: number): Reply =>
  json(429, { success: false, error: "daily request budget exceeded", errorCode: 429 }, { "retry-after": String(retryAfter) })

const serverErrors: Record<number, string> = {
  500: "Internal server error",
  502: "Bad gateway",
  503: "Service is temporarily unavailable"
}

export const serverError = (status: 500 | 502 | 503): Reply =>
  json(status, { success: false, error: serverErrors[status], error_info: "Please check developers.pipedrive.com", data: null, additional_data: null })

export const payloadTooLarge: Reply = json(413, { success: false, error: "Request body too large" })
