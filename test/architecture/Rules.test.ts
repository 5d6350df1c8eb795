/**
 * The rules of docs/architecture.md, checked on src/ as it is: imports point down, the core is
 * pure, one composition root picks the implementations, the engine reaches the catalog through its
 * port, no import circles, and no source file over 400 lines.
 */
import { describe, expect, it } from "vitest"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const src = fileURLToPath(new URL("../../src", import.meta.url))

const files = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []))

/** Every module of src/ (`layer/Name.ts`) with its text and the src/ modules and packages it imports. */
const modules = files(src).map((file) => {
  const text = readFileSync(file, "utf8")
  const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1] as string)
  const local = specifiers.filter((s) => s.startsWith(".")).map((s) => relative(src, resolve(dirname(file), s)).replace(/\.js$/, ".ts"))
  return { name: relative(src, file), text, local, packages: specifiers.filter((s) => !s.startsWith(".")) }
})

const layerOf = (name: string): string => name.split("/")[0] ?? name

/** Modules of `layers` that import a module outside `allowed` (layers, or single modules). */
const outside = (layers: ReadonlyArray<string>, allowed: ReadonlyArray<string>) =>
  modules
    .filter((m) => layers.includes(layerOf(m.name)))
    .flatMap((m) => m.local.filter((d) => !allowed.includes(layerOf(d)) && !allowed.includes(d)).map((d) => `${m.name} → ${d}`))

describe("architecture (docs/architecture.md)", () => {
  it("the core is pure: domain imports nothing; mapping and plan import the domain, each other and the API's schemas", () => {
    expect(outside(["domain"], ["domain"])).toEqual([])
    expect(outside(["mapping", "plan"], ["domain", "mapping", "plan", "pipedrive/Wire.ts"])).toEqual([])
    expect(outside(["source"], ["domain", "source"])).toEqual([])
    const io = modules.filter((m) => ["domain", "mapping", "plan", "source"].includes(layerOf(m.name)) && m.packages.some((p) => /^node:|^@effect\/platform|better-sqlite3|iconv-lite|jiti/.test(p)))
    expect(io.map((m) => m.name)).toEqual([])
  })

  it("imports point down: nothing imports the CLI; the engine reaches the catalog through its port, never an adapter", () => {
    expect(modules.filter((m) => layerOf(m.name) !== "cli").flatMap((m) => m.local.filter((d) => layerOf(d) === "cli").map((d) => `${m.name} → ${d}`))).toEqual([])
    expect(outside(["sync", "execute"], ["domain", "mapping", "plan", "source", "pipedrive", "store", "config", "execute"])).toEqual([])
  })

  it("one composition root: only cli/Live.ts picks the catalog source, the HTTP client and the state's file", () => {
    const picking = (what: RegExp) => modules.filter((m) => what.test(m.text)).map((m) => m.name).filter((n) => n !== "cli/Live.ts")
    expect(picking(/from "\.\.\/erp\/CsvSource\.js"/)).toEqual([])
    expect(picking(/NodeHttpClient/)).toEqual([])
    expect(picking(/\b(Store\.layer|Target\.layer)\(/).filter((n) => !n.startsWith("store/") && n !== "cli/Target.ts")).toEqual([])
  })

  it("no import circles", () => {
    const graph = new Map(modules.map((m) => [m.name, m.local]))
    const state = new Map<string, "open" | "done">()
    const circles: Array<string> = []
    const visit = (name: string, path: ReadonlyArray<string>): void => {
      if (state.get(name) === "done") return
      if (state.get(name) === "open") {
        circles.push([...path.slice(path.indexOf(name)), name].join(" → "))
        return
      }
      state.set(name, "open")
      for (const d of graph.get(name) ?? []) visit(d, [...path, name])
      state.set(name, "done")
    }
    for (const name of graph.keys()) visit(name, [])
    expect(circles).toEqual([])
  })

  it("no source file over 400 lines", () => {
    const long = modules.map((m) => [m.name, m.text.split("\n").length - 1] as const).filter(([, lines]) => lines > 400)
    expect(long).toEqual([])
  })
})
