import { assert, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { cpSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { bin, runCli } from "./run.js"

const repo = fileURLToPath(new URL("../../", import.meta.url))

describe("schedule --cron (built CLI)", () => {
  it("syncs on every tick, one run at a time, and stops cleanly on SIGINT", async () => {
    const dir = mkdtempSync(join(tmpdir(), "catalog-sync-schedule-"))
    for (const p of ["fixtures", "mappings", "sync.config.ts"]) cpSync(join(repo, p), join(dir, p), { recursive: true })
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" }
    delete env.PIPEDRIVE_API_TOKEN
    const child = spawn(process.execPath, [bin, "schedule", "--cron", "*/2 * * * * *"], { cwd: dir, env })
    let out = ""
    child.stdout.on("data", (d) => (out += String(d)))
    child.stderr.on("data", (d) => (out += String(d)))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    const deadline = Date.now() + 90_000
    while (!/Sync run #2: succeeded/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250))
    child.kill("SIGINT")
    const code = await exited
    assert.match(out, /syncing on "\*\/2 \* \* \* \* \*"/)
    assert.match(out, /Sync run #1: succeeded/)
    assert.match(out, /Sync run #2: succeeded/)
    assert.strictEqual(code, 0, out)
    const runs = JSON.parse(runCli(["runs", "--json"], { cwd: dir }).stdout) as Array<{ status: string; startedAt: string; finishedAt: string }>
    assert.isAtLeast(runs.length, 2)
    // Never two at once: each run started after the one before it finished.
    const ordered = [...runs].reverse()
    for (let i = 1; i < ordered.length; i++) assert.isTrue(ordered[i]!.startedAt >= ordered[i - 1]!.finishedAt, JSON.stringify(ordered))
  }, 120_000)

  it("refuses a wrong cron expression with the reason", () => {
    const r = runCli(["schedule", "--cron", "61 * * * *"])
    assert.strictEqual(r.code, 1)
    assert.match(r.stderr, /--cron "61 \* \* \* \*": Expected a value between 0 and 59/)
  })
})
