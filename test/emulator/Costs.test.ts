/** The token cost table agrees with the `x-token-cost` of every operation in the spec files. */
import { describe, expect, it } from "vitest"
import * as Costs from "../../src/emulator/Costs.js"
import * as Contract from "./Contract.js"

describe("Costs", () => {
  it.each(Costs.routes)("%s costs what the spec says", (route) => {
    const [method, template] = route.split(" ") as [string, string]
    const op = Contract.operation(method, template)
    expect(typeof op["x-token-cost"]).toBe("number")
    expect(Costs.of(route)).toBe(op["x-token-cost"])
  })

  it("matches the v2 costs DESIGN §6.5 names: list 10, get 1, create 5, patch 5, delete 3", () => {
    expect([
      Costs.of("GET /api/v2/products"),
      Costs.of("GET /api/v2/products/{id}"),
      Costs.of("POST /api/v2/products"),
      Costs.of("PATCH /api/v2/products/{id}"),
      Costs.of("DELETE /api/v2/products/{id}")
    ]).toEqual([10, 1, 5, 5, 3])
    expect(Costs.of("GET /nowhere")).toBe(0)
  })
})
