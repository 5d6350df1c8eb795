/** Auth before routing: the three ways to send the token, and Pipedrive's 401 for anything else. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type * as Emulator from "../../src/emulator/Emulator.js"
import { call, demoSeed, start, token } from "./Helpers.js"

const unauthorized = { success: false, error: "unauthorized access", errorCode: 401, error_info: "Please check developers.pipedrive.com" }
let emu: Emulator.Handle

beforeAll(async () => {
  emu = await start({ seed: demoSeed() })
})
afterAll(() => emu.close())

describe("auth", () => {
  it("accepts the x-api-token header, the api_token query parameter and Authorization: Bearer", async () => {
    expect((await call(emu, "GET", "/api/v2/products?limit=1")).status).toBe(200)
    expect((await call(emu, "GET", `/api/v2/products?limit=1&api_token=${token}`, undefined, { auth: false })).status).toBe(200)
    expect((await call(emu, "GET", "/api/v2/products?limit=1", undefined, { auth: false, headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
  })

  it.each([
    ["no token", {}, ""],
    ["a wrong header", { "x-api-token": "nope" }, ""],
    ["a wrong query token", {}, "&api_token=nope"],
    ["a bogus bearer", { authorization: "Bearer nope" }, ""],
    ["basic auth", { authorization: `Basic ${Buffer.from(`${token}:x`).toString("base64")}` }, ""]
  ])("401 with %s", async (_, headers, query) => {
    const r = await call(emu, "GET", `/api/v2/products?limit=1${query}`, undefined, { auth: false, headers })
    expect(r.status).toBe(401)
    expect(r.body).toEqual(unauthorized)
  })

  it("checks auth before routing: an unknown path or a wrong method without a token is a 401, with one a 404/405", async () => {
    for (const [method, path] of [["GET", "/api/v2/nothing"], ["PUT", "/api/v2/products/1"], ["GET", "/"]] as const) {
      const r = await call(emu, method, path, undefined, { auth: false })
      expect(r.status, `${method} ${path}`).toBe(401)
      expect(r.body).toEqual(unauthorized)
    }
    expect((await call(emu, "GET", "/api/v2/nothing")).status).toBe(404)
    const wrong = await call(emu, "PUT", "/api/v2/products/1")
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get("allow")).toBe("GET, PATCH, DELETE")
  })

  it("a write without a valid token changes nothing", async () => {
    const before = emu.stats().products
    expect((await call(emu, "POST", "/api/v2/products", { name: "intruder" }, { auth: false })).status).toBe(401)
    expect(emu.stats().products).toBe(before)
    expect(emu.stats().unauthorized).toBeGreaterThan(0)
  })

  it("serves v1 routes under both /v1 and /api/v1, v2 only under /api/v2", async () => {
    expect((await call(emu, "GET", "/v1/currencies")).status).toBe(200)
    expect((await call(emu, "GET", "/api/v1/productFields")).status).toBe(200)
    expect((await call(emu, "GET", "/v2/products")).status).toBe(404)
  })
})
