/**
 * Response schemas from Pipedrive's published OpenAPI specs, compiled with ajv, for the contract
 * tests. OpenAPI 3.0 `nullable` is turned into JSON Schema; the spec bugs the emulator works
 * around (each observed or documented in pipedrive-api.md) are patched here, one named function
 * per bug, and listed in `workarounds` (docs/emulator.md repeats the list).
 */
import { Ajv, type ValidateFunction } from "ajv"
import formatsModule from "ajv-formats"
import { readFileSync } from "node:fs"
import { parse } from "yaml"

type Json = Record<string, unknown>

/** Pipedrive's published specs, kept in the repository (test/fixtures/pipedrive-openapi/SOURCES.md). */
const specPath = (file: string) => new URL(`../fixtures/pipedrive-openapi/${file}`, import.meta.url)

let v2: Json | undefined
let v1: Json | undefined
export const spec = (version: "v1" | "v2"): Json => {
  if (version === "v2") return (v2 ??= parse(readFileSync(specPath("openapi-v2.yaml"), "utf8")) as Json)
  return (v1 ??= parse(readFileSync(specPath("openapi-v1.yaml"), "utf8")) as Json)
}

/** The spec path and version an emulator route template belongs to. */
export const specRoute = (template: string): { readonly version: "v1" | "v2"; readonly path: string } =>
  template.startsWith("/api/v2/") ? { version: "v2", path: template.slice("/api/v2".length) } : { version: "v1", path: template.slice("/v1".length) }

export const operation = (method: string, template: string): Json => {
  const { version, path } = specRoute(template)
  const paths = spec(version).paths as Record<string, Record<string, Json>>
  const op = paths[path]?.[method.toLowerCase()]
  if (op === undefined) throw new Error(`${method} ${path} is not in openapi-${version}.yaml`)
  return op
}

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

/** OpenAPI 3.0 → JSON Schema: `nullable: true` becomes `anyOf [schema, null]`; examples dropped. */
export const toJsonSchema = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.map(toJsonSchema)
  if (!isObject(u)) return u
  const out: Json = {}
  for (const [k, v] of Object.entries(u)) {
    if (k === "example" || k === "examples" || k === "nullable" || k.startsWith("x-")) continue
    out[k] = k === "properties" && isObject(v) ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, toJsonSchema(s)])) : toJsonSchema(v)
  }
  return u.nullable === true ? { anyOf: [out, { type: "null" }] } : out
}

/** Applies `f` to every `properties[name]` schema anywhere inside `schema`. */
const patchProperty = (schema: unknown, name: string, f: (s: unknown) => unknown): void => {
  if (Array.isArray(schema)) return schema.forEach((s) => patchProperty(s, name, f))
  if (!isObject(schema)) return
  const props = schema.properties
  if (isObject(props) && name in props) props[name] = f(props[name])
  for (const v of Object.values(schema)) patchProperty(v, name, f)
}

const nullable = (s: unknown) => ({ anyOf: [s, { type: "null" }] })

export interface Workaround {
  readonly bug: string
  readonly applies: (method: string, template: string) => boolean
  readonly patch: (schema: unknown) => void
}

const productRoute = (_m: string, t: string) => t.startsWith("/api/v2/products") && t !== "/api/v2/products/search"

/** Spec bugs, each with the response schemas it is patched in. */
export const workarounds: ReadonlyArray<Workaround> = [
  {
    bug: "v2 products: `code`, `description` and `unit` are typed non-nullable strings, but a product created without them has null (pipedrive-api.md §1.4: code nullable in practice)",
    applies: productRoute,
    patch: (s) => ["code", "description", "unit"].forEach((p) => patchProperty(s, p, nullable))
  },
  {
    bug: "GET /products and /products/search: `additional_data.next_cursor` is typed string, yet its own description says it is null at the end of the data",
    applies: (_m, t) => t === "/api/v2/products" || t === "/api/v2/products/search",
    patch: (s) => patchProperty(s, "next_cursor", nullable)
  },
  {
    bug: "GET /products/search: `item.code` is typed integer; product codes are strings (pipedrive-api.md §1.6), or null",
    applies: (_m, t) => t === "/api/v2/products/search",
    patch: (s) => patchProperty(s, "code", () => ({ type: ["string", "null"] }))
  },
  {
    bug: "v1 GET /productFields: `field_type` is allOf two enums, the first listing only creatable types, so no built-in field (boolean, visible_to, price_list, …) could validate; the first enum is dropped",
    applies: (_m, t) => t === "/v1/productFields",
    patch: (s) =>
      patchProperty(s, "field_type", (f) => (isObject(f) && Array.isArray(f.enum) && !f.enum.includes("price_list") ? { type: "string" } : f))
  }
]

/**
 * Spec bugs that touch no response schema, listed for the record: the v2 GET/POST /products
 * examples put a JSON-Schema fragment inside `custom_fields` (the emulator's products never do);
 * v2 POST /productFields answers 200, not 201 (the emulator follows the spec).
 */
export const exampleBugs = [
  "GET/POST /products examples: `custom_fields` holds a JSON-Schema fragment instead of values",
  "POST /productFields is documented with a 200 response, unlike POST /products (201); the emulator follows the spec"
] as const

/** ajv-formats is CommonJS: under NodeNext its default import is the module object. */
type FormatsPlugin = (ajv: Ajv) => Ajv
const formats = formatsModule as unknown as FormatsPlugin | { readonly default: FormatsPlugin }
const addFormats: FormatsPlugin = typeof formats === "function" ? formats : formats.default

/** An ajv for OpenAPI-derived schemas (which carry keywords ajv does not know, e.g. `title` siblings). */
export const newAjv = () => {
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats(ajv)
  return ajv
}

const ajv = newAjv()
const compiled = new Map<string, ValidateFunction>()

/** The validator for one route's documented success response. */
export const validator = (method: string, template: string, status: number): ValidateFunction => {
  const key = `${method} ${template} ${status}`
  const cached = compiled.get(key)
  if (cached) return cached
  const op = operation(method, template)
  const responses = op.responses as Record<string, Json>
  const content = responses[String(status)]?.content as Record<string, Json> | undefined
  const raw = content?.["application/json"]?.schema
  if (raw === undefined) throw new Error(`${method} ${template}: the spec documents no ${status} JSON response`)
  const schema = toJsonSchema(structuredClone(raw))
  for (const w of workarounds) if (w.applies(method, template)) w.patch(schema)
  const v = ajv.compile(schema as Json)
  compiled.set(key, v)
  return v
}

/** Property names a schema declares anywhere at the top level of `allOf` chains (for "nothing missing" checks). */
export const declaredProperties = (schema: unknown): ReadonlySet<string> => {
  const names = new Set<string>()
  const walk = (s: unknown) => {
    if (!isObject(s)) return
    if (isObject(s.properties)) Object.keys(s.properties).forEach((n) => names.add(n))
    if (Array.isArray(s.allOf)) s.allOf.forEach(walk)
  }
  walk(schema)
  return names
}
