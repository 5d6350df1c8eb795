import { assert, describe, it } from "@effect/vitest"
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { runCliAsync } from "./run.js"

const repo = fileURLToPath(new URL("../../", import.meta.url))

const demoProject = () => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-apply-"))
  cpSync(join(repo, "fixtures"), join(dir, "fixtures"), { recursive: true })
  cpSync(join(repo, "mappings"), join(dir, "mappings"), { recursive: true })
  cpSync(join(repo, "sync.config.ts"), join(dir, "sync.config.ts"))
  return dir
}

describe("apply PLANFILE (built CLI)", () => {
  it("executes a saved plan, and refuses a stale one without writing", async () => {
    const dir = demoProject()
    const saved = await runCliAsync(["plan", "--save", "plan.json", "--format", "json", "--out", "report.json"], { cwd: dir })
    assert.strictEqual(saved.code, 0, saved.stderr)
    const plan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as { totals: { pipedriveCreates: number; pipedriveUpdates: number } }
    const applied = await runCliAsync(["apply", "plan.json"], { cwd: dir })
    assert.strictEqual(applied.code, 0, applied.stderr)
    assert.match(applied.stdout, new RegExp(`writes\\s+${plan.totals.pipedriveCreates + plan.totals.pipedriveUpdates} done, 0 failed`))

    // A new plan, then the ERP export changes before it is applied.
    assert.strictEqual((await runCliAsync(["plan", "--save", "again.json"], { cwd: dir })).code, 0)
    const csv = join(dir, "fixtures", "demo-catalog.csv")
    writeFileSync(csv, readFileSync(csv, "utf8").replace(";131,27;", ";131,28;"))
    const stale = await runCliAsync(["apply", "again.json"], { cwd: dir })
    assert.strictEqual(stale.code, 1)
    assert.match(stale.stderr, /refused: again\.json is stale — the ERP file, Pipedrive or the state changed since it was planned/)
    assert.match(stale.stderr, /Nothing was written/)
    const status = await runCliAsync(["runs", "--json"], { cwd: dir })
    const runs = JSON.parse(status.stdout) as Array<{ kind: string; status: string }>
    assert.strictEqual(runs.filter((r) => r.kind === "sync").length, 1, "the stale apply started no run")

    const missing = await runCliAsync(["apply", "nope.json"], { cwd: dir })
    assert.strictEqual(missing.code, 1)
    assert.match(missing.stderr, /nope\.json: cannot be read/)
  })
})
