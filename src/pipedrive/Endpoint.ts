/**
 * The Pipedrive endpoints the client calls, each with its path template, its token cost (the
 * `x-token-cost` of Pipedrive's OpenAPI specs, `pipedrive-api.md` §5.1), whether it counts against
 * the Search API's own burst limit, and whether repeating it is safe.
 */
export type Method = "GET" | "POST" | "PATCH" | "DELETE"

export interface Endpoint {
  readonly method: Method
  /** `/api/v2/products/{id}`: what messages and accounting name. */
  readonly template: string
  readonly cost: number
  /** Counts against the Search API burst limit (10 per 2 s) as well as the general one. */
  readonly search: boolean
  /** Sending it twice has the effect of sending it once (every method but POST). */
  readonly idempotent: boolean
}

const make = (method: Method, template: string, cost: number, search = false): Endpoint => ({
  method,
  template,
  cost,
  search,
  idempotent: method !== "POST"
})

/** `METHOD template`, the key of accounting and logs. */
export const key = (e: Endpoint): string => `${e.method} ${e.template}`

export const listProducts = make("GET", "/api/v2/products", 10)
export const getProduct = make("GET", "/api/v2/products/{id}", 1)
export const searchProducts = make("GET", "/api/v2/products/search", 20, true)
export const createProduct = make("POST", "/api/v2/products", 5)
export const updateProduct = make("PATCH", "/api/v2/products/{id}", 5)
export const deleteProduct = make("DELETE", "/api/v2/products/{id}", 3)
export const listProductFields = make("GET", "/api/v2/productFields", 10)
export const createProductField = make("POST", "/api/v2/productFields", 5)
export const listCurrencies = make("GET", "/v1/currencies", 20)

export const all: ReadonlyArray<Endpoint> = [
  listProducts,
  getProduct,
  searchProducts,
  createProduct,
  updateProduct,
  deleteProduct,
  listProductFields,
  createProductField,
  listCurrencies
]

/** The path of a call: the template with `{id}` filled in. */
export const path = (e: Endpoint, id?: number): string =>
  id === undefined ? e.template : e.template.replace("{id}", String(id))
