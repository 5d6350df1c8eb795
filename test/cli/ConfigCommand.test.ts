import { assert, describe, it } from "@effect/vitest"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCli } from "./run.js"

const project = (config: string) => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-cli-"))
  writeFileSync(join(dir, "catalog.csv"), "sku;name\nA-1;Thing\n")
  writeFileSync(join(dir, "mapping.ts"), "export default {}\n")
  writeFileSync(join(dir, "sync.config.ts"), config)
  return dir
}

describe("catalog-sync (built CLI)", () => {
  it("prints help and its version", () => {
    const help = runCli(["--help"])
    assert.strictEqual(help.code, 0)
    assert.include(help.stdout, "config check")
    assert.include(help.stdout, "--config")
    const version = runCli(["--version"])
    assert.strictEqual(version.code, 0)
    assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/)
  })

  it("config check prints the embedded defaults from an empty folder", () => {
    const r = runCli(["config", "check"], { cwd: mkdtempSync(join(tmpdir(), "catalog-sync-empty-")) })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.include(r.stdout, "Configuration: embedded defaults")
    assert.include(r.stdout, "bundled emulator")
    assert.include(r.stdout, "demo-catalog.csv")
  })

  it("config check --json shows the token as <redacted> and never its value", () => {
    const dir = project(`export default { erp: { path: "./catalog.csv" }, mapping: "./mapping.ts" }\n`)
    const secret = "cli-secret-token-7f3a9c"
    const r = runCli(["config", "check", "--json"], { cwd: dir, env: { PIPEDRIVE_API_TOKEN: secret, PIPEDRIVE_COMPANY_DOMAIN: "acme" } })
    assert.strictEqual(r.code, 0, r.stderr)
    const shown = JSON.parse(r.stdout) as { pipedrive: { target: string; token: string } }
    assert.strictEqual(shown.pipedrive.target, "https://acme.pipedrive.com")
    assert.strictEqual(shown.pipedrive.token, "<redacted>")
    assert.notInclude(r.stdout + r.stderr, secret)
  })

  it("--config works before and after the subcommand", () => {
    const dir = project(`export default { erp: { path: "./catalog.csv" }, mapping: "./mapping.ts", pipedrive: { plan: "premium" } }\n`)
    for (const args of [["--config", join(dir, "sync.config.ts"), "config", "check"], ["config", "check", "--config", join(dir, "sync.config.ts")]]) {
      const r = runCli(args)
      assert.strictEqual(r.code, 0, r.stderr)
      assert.include(r.stdout, "plan premium, 100 requests / 2 s")
    }
  })

  it("a broken config exits 1 with every problem and no stack trace", () => {
    const cases: Array<[string, RegExp]> = [
      [`export default { erp: { path: "./nope.csv" }, mapping: "./mapping.ts" }\n`, /erp\.path: file not found: \.\/nope\.csv/],
      [`export default { erp: { path: "./catalog.csv" }, mapping: "./mapping.ts", policies: { conflicts: "newest" } }\n`, /policies\.conflicts: expected "erp-wins" \| "pipedrive-wins" \| "manual", got "newest"/],
      [`export default { erp: { path: "./catalog.csv" }, mapping: "./mapping.ts", pipedrive: { burstLimit: "forty" } }\n`, /pipedrive\.burstLimit: expected .*got "forty"/],
      [`export default {\n  erp: { path: "./catalog.csv" ,\n}\n`, /sync\.config\.ts:\d+:\d+: syntax error/]
    ]
    for (const [config, expected] of cases) {
      const r = runCli(["config", "check"], { cwd: project(config) })
      assert.strictEqual(r.code, 1, `${config}\n${r.stdout}`)
      assert.match(r.stderr, expected)
      assert.notMatch(r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/) // no stack frames
    }
    const missing = runCli(["config", "check", "--config", "./missing.ts"], { cwd: project("export default {}\n") })
    assert.strictEqual(missing.code, 1)
    assert.match(missing.stderr, /--config: file not found: \.\/missing\.ts/)
  })

  it("an unknown command or option exits 1", () => {
    assert.strictEqual(runCli(["frobnicate"]).code, 1)
    assert.strictEqual(runCli(["config", "check", "--colour"]).code, 1)
  })
})
