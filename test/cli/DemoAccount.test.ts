import { assert, describe, it } from "@effect/vitest"
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { runCli } from "./run.js"

const repo = fileURLToPath(new URL("../../", import.meta.url))

describe("the bundled emulator's account (built CLI)", () => {
  it("is saved beside the state after a run and used by the next one", () => {
    const dir = mkdtempSync(join(tmpdir(), "catalog-sync-demo-"))
    cpSync(join(repo, "fixtures"), join(dir, "fixtures"), { recursive: true })
    cpSync(join(repo, "mappings"), join(dir, "mappings"), { recursive: true })
    cpSync(join(repo, "sync.config.ts"), join(dir, "sync.config.ts"))
    const first = runCli(["plan", "--format", "json"], { cwd: dir })
    assert.strictEqual(first.code, 0, first.stderr)
    const account = join(dir, ".catalog-sync", "emulator-account.json")
    assert.isTrue(existsSync(account))
    const seed = JSON.parse(readFileSync(account, "utf8")) as { products: Array<{ code: string; update_time: string; prices: Array<{ currency: string; price: number }> }> }
    // Sales change a price in the (saved) account: the next plan, pulling what changed since the
    // last pull, sees Pipedrive's new value.
    const product = seed.products.find((p) => p.code === "ELE-1001")!
    product.prices.find((p) => p.currency === "USD")!.price = 1234.5
    product.update_time = new Date(Date.now() + 1000).toISOString().replace(/\.\d{3}Z$/, "Z")
    writeFileSync(account, JSON.stringify(seed))
    const second = runCli(["plan", "--format", "json"], { cwd: dir })
    assert.strictEqual(second.code, 0, second.stderr)
    const report = JSON.parse(second.stdout) as { plan: { operations: Array<{ key: string; changes: Array<{ path: string; before?: unknown }> }> } }
    const op = report.plan.operations.find((o) => o.key === "ELE-1001")
    assert.isDefined(op, "the edited product is planned")
    const usd = op!.changes.find((c) => c.path === "prices.USD.price")
    assert.deepStrictEqual(usd?.before, { _tag: "Decimal", value: "1234.5" })
  })
})
