/** The test command's Chromium check: found where it is, or one line naming the command to run. */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Chromium from "./chromium.mjs"

const script = fileURLToPath(new URL("./chromium.mjs", import.meta.url))
const ensure = (env: Record<string, string>) => {
  const { CHROMIUM_PATH: _ignored, ...rest } = process.env
  return spawnSync(process.execPath, [script, "--ensure"], { encoding: "utf8", env: { ...rest, ...env } })
}
const fakeBrowser = () => {
  const file = join(mkdtempSync(join(tmpdir(), "catalog-sync-fake-chromium-")), "chromium")
  writeFileSync(file, "#!/bin/sh\nexit 0\n")
  chmodSync(file, 0o755)
  return file
}

describe("test/setup/chromium.mjs", () => {
  it("stops at once with one line naming the command when Chromium is missing and cannot be installed", () => {
    const r = ensure({ CATALOG_SYNC_CHROMIUM_SEARCH: "/nonexistent/chromium", CATALOG_SYNC_CHROMIUM_INSTALL: "never" })
    assert.strictEqual(r.status, 1)
    assert.strictEqual(r.stdout, "")
    const lines = r.stderr.trimEnd().split("\n")
    assert.strictEqual(lines.length, 1)
    assert.match(lines[0]!, /^npm test needs headless Chromium for the HTML report tests and found none; run: .+ \(or set CHROMIUM_PATH\)$/)
    assert.include(lines[0]!, Chromium.installCommand())
  })

  it("names a CHROMIUM_PATH that is not an executable", () => {
    const r = ensure({ CHROMIUM_PATH: "/nonexistent/chrome" })
    assert.strictEqual(r.status, 1)
    assert.strictEqual(r.stderr.trimEnd().split("\n").length, 1)
    assert.include(r.stderr, "CHROMIUM_PATH=/nonexistent/chrome is not an executable file")
  })

  it("passes, silently, when Chromium is in one of the places searched or at CHROMIUM_PATH", () => {
    const browser = fakeBrowser()
    for (const env of [{ CATALOG_SYNC_CHROMIUM_SEARCH: `/nonexistent/chromium:${browser}` }, { CHROMIUM_PATH: browser }]) {
      const r = ensure({ ...env, CATALOG_SYNC_CHROMIUM_INSTALL: "never" })
      assert.strictEqual(r.status, 0, r.stderr)
      assert.strictEqual(r.stderr, "")
    }
    assert.strictEqual(Chromium.find({ CATALOG_SYNC_CHROMIUM_SEARCH: `/nonexistent/a:${browser}` }), browser)
  })

  it("looks where Debian, Ubuntu, Fedora and Homebrew put it, and names each platform's command", () => {
    for (const p of ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/opt/homebrew/bin/chromium", "/Applications/Chromium.app/Contents/MacOS/Chromium"]) {
      assert.include(Chromium.defaultCandidates, p)
    }
    assert.strictEqual(Chromium.installCommand({ PATH: "" }, "darwin"), "brew install --cask chromium")
    assert.strictEqual(Chromium.installCommand({ PATH: "/nonexistent" }, "linux"), "install Chromium with your package manager")
  })
})
