import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as AtomicFile from "../../src/erp/AtomicFile.js"

describe("AtomicFile", () => {
  it.effect("creates the target's folder when it does not exist yet", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "catalog-sync-atomic-"))
      const target = join(dir, "out", "nested", "changes.csv")
      yield* AtomicFile.write(target, "utf-8", false, Stream.make("sku;name\r\n", "A-1;Thing\r\n"))
      assert.strictEqual(readFileSync(target, "utf8"), "sku;name\r\nA-1;Thing\r\n")
      assert.deepStrictEqual(readdirSync(join(dir, "out", "nested")), ["changes.csv"]) // no temporary file left
    }).pipe(Effect.provide(NodeContext.layer)))
})
