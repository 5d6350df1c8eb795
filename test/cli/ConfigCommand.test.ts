import { assert, describe, it } from "@effect/vitest"
import { existsSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCli } from "./run.js"

const project = (config: string, mapping = `{ key: { erp: "sku" }, fields: { name: { erp: "name" } } }`) => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-cli-"))
  writeFileSync(join(dir, "catalog.csv"), "sku;name\nA-1;Thing\n")
  writeFileSync(join(dir, "mapping.ts"), `export default ${mapping}\n`)
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
    assert.include(r.stdout, "values the file cannot hold: refused")
    assert.include(r.stdout, "guards      at most 50 % of existing products updated, 5 % deleted, 20 % fewer ERP rows than last run, 10 % of rows rejected; each only from 5 products or rows on")
  })

  it("config check --json shows the token as <redacted> and never its value", () => {
    const dir = project(`export default { erp: { path: "./catalog.csv" }, mapping: "./mapping.ts" }\n`)
    const secret = "cli-secret-token-7f3a9c"
    const r = runCli(["config", "check", "--json", "--offline"], { cwd: dir, env: { PIPEDRIVE_API_TOKEN: secret, PIPEDRIVE_COMPANY_DOMAIN: "acme" } })
    assert.strictEqual(r.code, 0, r.stderr)
    const shown = JSON.parse(r.stdout) as { pipedrive: { target: string; token: string }; mappingCheck: { account: { checked: boolean; skipped: string } } }
    assert.deepStrictEqual(shown.mappingCheck.account, { checked: false, skipped: "--offline" })
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

  it("config check loads the mapping: a misspelt option is an error with its path", () => {
    const dir = project(`export default { erp: { path: "./catalog.csv" }, mapping: "./mapping.ts", state: "./state.db" }\n`, `{ key: { erp: "sku" }, fields: { name: { erp: "name", directon: "both" } } }`)
    const r = runCli(["config", "check"], { cwd: dir })
    assert.strictEqual(r.code, 1, r.stdout)
    assert.match(r.stderr, /fields\.name\.directon: unknown setting; did you mean "direction"\?/)
    assert.notMatch(r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/)
  })

  it("config check runs the mapping's checks against the CSV header and the bundled emulator's fields, every problem at once, and saves nothing", () => {
    const config = `export default { erp: { path: "./catalog.csv" }, mapping: "./mapping.ts", state: "./state.db" }\n`
    const dir = project(config, `{ key: { erp: "SKU" }, fields: { name: { erp: "name", direction: "both" }, "custom.Brnad": { erp: "name" }, "prices.GBP.price": { erp: "price" } } }`)
    const r = runCli(["config", "check"], { cwd: dir })
    assert.strictEqual(r.code, 1, r.stdout)
    assert.match(r.stderr, /the mapping has 4 problems/)
    assert.match(r.stderr, /key\.erp: column "SKU" is not in the ERP file's header; did you mean "sku"\?/)
    assert.match(r.stderr, /fields\["custom\.Brnad"\]: the account has no custom product field labelled "Brnad" \(did you mean "Brand"\?\)/)
    assert.match(r.stderr, /fields\["prices\.GBP\.price"\]: the account has no currency GBP/)
    assert.match(r.stderr, /fields\["prices\.GBP\.price"\]\.erp: column "price" is not in the ERP file's header/)
    assert.isFalse(existsSync(join(dir, "emulator-account.json")))
    assert.isFalse(existsSync(join(dir, "state.db")))
    const ok = runCli(["config", "check"], { cwd: project(config) })
    assert.strictEqual(ok.code, 0, ok.stderr)
    assert.match(ok.stdout, /The mapping .*mapping\.ts is valid: 1 fields, checked against the header of .*catalog\.csv \(2 columns\) and the account's \d+ product fields\./)
  }, 120_000)

  it("config check skips the account checks, saying why, when the account does not answer", () => {
    const dir = project(`export default { pipedrive: { baseUrl: "http://127.0.0.1:9" }, erp: { path: "./catalog.csv" }, mapping: "./mapping.ts", state: "./state.db" }\n`, `{ key: { erp: "sku" }, fields: { name: { erp: "name" }, "custom.Anything": { erp: "name", direction: "pipedrive→erp" } } }`)
    const secret = "unreachable-token-5e1d2c"
    const r = runCli(["config", "check"], { cwd: dir, env: { PIPEDRIVE_API_TOKEN: secret } })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.match(r.stdout, /the checks against the account were skipped: Pipedrive did not answer \(GET .* Transport: .*\)\. They run again with plan and sync\./)
    assert.notInclude(r.stdout + r.stderr, secret)
    const bad = runCli(["config", "check"], { cwd: project(`export default { pipedrive: { baseUrl: "http://127.0.0.1:9" }, erp: { path: "./catalog.csv" }, mapping: "./mapping.ts" }\n`, `{ key: { erp: "sku" }, fields: { name: { erp: "nmae" } } }`), env: { PIPEDRIVE_API_TOKEN: secret } })
    assert.strictEqual(bad.code, 1)
    assert.match(bad.stderr, /fields\["name"\]\.erp: column "nmae" is not in the ERP file's header/)
  }, 120_000)

  it("an unknown command or option exits 1", () => {
    assert.strictEqual(runCli(["frobnicate"]).code, 1)
    assert.strictEqual(runCli(["config", "check", "--colour"]).code, 1)
  })
})
