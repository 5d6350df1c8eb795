/**
 * Pagination cursors, shaped like Pipedrive's (base64url JSON of `{field, fieldValue,
 * sortDirection, id}` for keyset pages, `{offset}` for search and field lists). Clients must treat
 * them as opaque; a cursor that does not decode, or does not match the request's sort, is a 400.
 */

export interface Keyset {
  readonly field: string
  readonly fieldValue: string | number
  readonly sortDirection: "asc" | "desc"
  readonly id: number
}

const encodeJson = (value: unknown): string => Buffer.from(JSON.stringify(value), "utf8").toString("base64url")

const decodeJson = (cursor: string): unknown => {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown
  } catch {
    return undefined
  }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

export const encodeKeyset = (k: Keyset): string => encodeJson(k)

export const decodeKeyset = (cursor: string): Keyset | undefined => {
  const u = decodeJson(cursor)
  if (!isRecord(u)) return undefined
  const { field, fieldValue, sortDirection, id } = u
  if (typeof field !== "string" || (typeof fieldValue !== "string" && typeof fieldValue !== "number")) return undefined
  if ((sortDirection !== "asc" && sortDirection !== "desc") || typeof id !== "number" || !Number.isInteger(id)) return undefined
  return { field, fieldValue, sortDirection, id }
}

export const encodeOffset = (offset: number): string => encodeJson({ offset })

export const decodeOffset = (cursor: string): number | undefined => {
  const u = decodeJson(cursor)
  return isRecord(u) && typeof u.offset === "number" && Number.isInteger(u.offset) && u.offset >= 0 ? u.offset : undefined
}
