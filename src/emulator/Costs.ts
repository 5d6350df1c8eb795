/**
 * Pipedrive's token cost per endpoint, as published in the specs' `x-token-cost` (a test checks
 * every entry against the spec files). Keys are the emulator's route templates, "METHOD /path".
 */

export const costs = {
  "GET /api/v2/products": 10,
  "POST /api/v2/products": 5,
  "GET /api/v2/products/search": 20,
  "GET /api/v2/products/{id}": 1,
  "PATCH /api/v2/products/{id}": 5,
  "DELETE /api/v2/products/{id}": 3,
  "GET /api/v2/productFields": 10,
  "POST /api/v2/productFields": 5,
  "GET /api/v2/productFields/{field_code}": 1,
  "GET /v1/productFields": 20,
  "GET /v1/currencies": 20
} as const satisfies Record<string, number>

export type Route = keyof typeof costs

export const routes = Object.keys(costs) as ReadonlyArray<Route>

/** The token cost of a route (0 for anything not in the table, e.g. an unknown path). */
export const of = (route: string): number => (costs as Record<string, number>)[route] ?? 0
