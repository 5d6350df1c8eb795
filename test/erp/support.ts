/** Shared by the ERP tests: where the sample files are, and reading a file to plain values. */
import { NodeContext } from "@effect/platform-node"
import { Chunk, Effect, Stream } from "effect"
import { fileURLToPath } from "node:url"
import * as Catalog from "../../src/erp/Catalog.js"
import type * as Dialect from "../../src/erp/Dialect.js"
import * as Reader from "../../src/erp/Reader.js"

export const samples = fileURLToPath(new URL("../fixtures/csv/", import.meta.url))
export const sample = (name: string): string => `${samples}${name}`
export const demo = fileURLToPath(new URL("../../fixtures/demo-catalog.csv", import.meta.url))

export const provide = <A, E, R>(effect: Effect.Effect<A, E, R>) => effect.pipe(Effect.provide(NodeContext.layer))

/** The source and every data row of a file. */
export const readRows = (file: string, input: Dialect.Input = {}) =>
  Effect.gen(function*() {
    const source = yield* Reader.open(file, input)
    const rows = Chunk.toArray(yield* Stream.runCollect(source.rows))
    return { source, rows }
  })

/** A catalog and all its items. */
export const readCatalog = (file: string, options: Catalog.Options) =>
  Effect.gen(function*() {
    const catalog = yield* Catalog.open(file, options)
    const items = Chunk.toArray(yield* Stream.runCollect(catalog.rows))
    return { catalog, items, good: items.filter((i): i is Catalog.Good => i._tag === "Good"), rejected: items.filter((i): i is Catalog.Rejected => i._tag === "Rejected") }
  })
