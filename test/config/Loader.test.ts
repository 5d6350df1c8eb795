import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Option, Redacted } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ConfigError } from "../../src/config/ConfigError.js"
import * as Loader from "../../src/config/Loader.js"

/** A project folder with a catalog, a mapping and the given config file. */
const project = (config: string, name = "sync.config.ts") => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-config-"))
  writeFileSync(join(dir, "catalog.csv"), "sku;name\nA-1;Thing\n")
  writeFileSync(join(dir, "mapping.ts"), "export default {}\n")
  writeFileSync(join(dir, name), config)
  return dir
}

const good = `import { defineConfig } from "catalog-sync"
export default defineConfig({
  erp: { path: "./catalog.csv", dialect: { delimiter: ";" } },
  mapping: "./mapping.ts"
})
`

const load = (dir: string, env: Record<string, string> = {}, explicit?: string) =>
  Loader.load(Option.fromNullable(explicit), dir).pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
    Effect.provide(NodeContext.layer),
    Effect.either
  )

const problemsOf = (r: Either.Either<unknown, ConfigError>) => {
  if (Either.isRight(r)) return assert.fail("expected the configuration to be refused")
  return r.left.problems.map((p) => (p.at === "" ? p.message : `${p.at}: ${p.message}`))
}

describe("Loader", () => {
  it.effect("loads sync.config.ts from the folder, resolves paths and defaults, targets the emulator without a token", () =>
    Effect.gen(function*() {
      const dir = project(good)
      const r = yield* load(dir)
      if (Either.isLeft(r)) return assert.fail(r.left.message)
      const c = r.right
      assert.strictEqual(c.source, join(dir, "sync.config.ts"))
      assert.strictEqual(c.erp.path, join(dir, "catalog.csv"))
      assert.strictEqual(c.erp.dialect.delimiter, ";")
      assert.strictEqual(c.mapping, join(dir, "mapping.ts"))
      assert.strictEqual(c.state, join(dir, ".catalog-sync/state.db"))
      assert.strictEqual(c.erp.writeBack.path, join(dir, ".catalog-sync/catalog.pipedrive-changes.csv"))
      assert.deepStrictEqual(c.pipedrive.target, { _tag: "Emulator" })
      assert.strictEqual(c.pipedrive.plan, "lite")
      assert.strictEqual(c.pipedrive.burstLimit, 20)
      assert.deepStrictEqual(c.policies.mode, { toPipedrive: "additive", toErp: "additive" })
      assert.strictEqual(c.policies.conflicts, "manual")
      assert.strictEqual(c.policies.deletes, "ignore")
      assert.strictEqual(c.policies.guards.maxDeletedShare, 0.05)
    }))

  it.effect("with a token and a company domain, targets that account; the token stays Redacted", () =>
    Effect.gen(function*() {
      const dir = project(good)
      const r = yield* load(dir, { PIPEDRIVE_API_TOKEN: "tok-123-secret", PIPEDRIVE_COMPANY_DOMAIN: "acme" })
      if (Either.isLeft(r)) return assert.fail(r.left.message)
      const t = r.right.pipedrive.target
      assert.strictEqual(t._tag, "Remote")
      if (t._tag !== "Remote") return
      assert.strictEqual(t.baseUrl, "https://acme.pipedrive.com")
      assert.strictEqual(Redacted.value(t.token), "tok-123-secret")
      const shown = JSON.stringify(Loader.describe(r.right))
      assert.notInclude(shown, "tok-123-secret")
      assert.include(shown, "<redacted>")
      assert.notInclude(String(t.token), "tok-123-secret")
    }))

  it.effect("--config PATH names the file; a missing one is a clear error", () =>
    Effect.gen(function*() {
      const dir = project(good, "nightly.config.ts")
      const ok = yield* load(process.cwd(), {}, join(dir, "nightly.config.ts"))
      assert.isTrue(Either.isRight(ok))
      const missing = problemsOf(yield* load(dir, {}, "./nope.config.ts"))
      assert.strictEqual(missing.length, 1)
      assert.match(missing[0] ?? "", /^--config: file not found: \.\/nope\.config\.ts/)
    }))

  it.effect("reports every problem at once, each with its path and what was expected", () =>
    Effect.gen(function*() {
      const dir = project(`export default {
  pipedrive: { plan: "gold", burstLimit: "40", timeoutMs: 1.5, polite: true },
  erp: { path: "./nope.csv", dialect: { delimiter: ":" } },
  mapping: "./mapping.ts",
  policies: { conflicts: "newest", mode: { toPipedrive: "mirror" }, guards: { maxChangedShare: 3 } },
  statePath: "x.db"
}
`)
      const problems = problemsOf(yield* load(dir))
      const text = problems.join("\n")
      assert.include(problems, `policies.conflicts: expected "erp-wins" | "pipedrive-wins" | "manual", got "newest"`)
      assert.include(problems, `pipedrive.plan: expected "lite" | "growth" | "premium" | "ultimate", got "gold"`)
      assert.include(problems, `erp.dialect.delimiter: expected "," | ";" | "\\t" | "|", got ":"`)
      assert.match(text, /^pipedrive\.burstLimit: expected .*got "40"$/m)
      assert.match(text, /^pipedrive\.timeoutMs: expected an integer, got 1\.5$/m)
      assert.match(text, /^pipedrive\.polite: unknown setting; .*known settings here: companyDomain, baseUrl, plan/m)
      assert.match(text, /^statePath: unknown setting; did you mean "state"\?/m)
      assert.match(text, /^policies\.mode\.toErp: is required$/m)
      assert.match(text, /^policies\.guards\.maxChangedShare: expected a share between 0 and 1 \(0\.25 = 25 %\), got 3$/m)
      // File checks only run once the shape is right, so this one is not listed yet.
      assert.notMatch(text, /nope\.csv/)
    }))

  it.effect("checks that the files it names exist", () =>
    Effect.gen(function*() {
      const dir = project(`export default { erp: { path: "./nope.csv" }, mapping: "./mappings/missing.ts" }\n`)
      const problems = problemsOf(yield* load(dir))
      assert.strictEqual(problems.length, 2)
      assert.match(problems[0] ?? "", /^erp\.path: file not found: \.\/nope\.csv \(looked at .*nope\.csv\)$/)
      assert.match(problems[1] ?? "", /^mapping: file not found: \.\/mappings\/missing\.ts/)
    }))

  it.effect("a TypeScript syntax error names the file and line", () =>
    Effect.gen(function*() {
      const dir = project(`import { defineConfig } from "catalog-sync"
export default defineConfig({
  erp: { path: "./catalog.csv",
  mapping: 
})
`)
      const r = yield* load(dir)
      const problems = problemsOf(r)
      assert.strictEqual(problems.length, 1)
      assert.match(problems[0] ?? "", new RegExp(`^${join(dir, "sync.config.ts").replace(/[.]/g, "\\.")}:5:\\d+: syntax error`))
    }))

  it.effect("an error thrown while the file runs names the file and line", () =>
    Effect.gen(function*() {
      const dir = project(`const x: number = 1\nthrow new Error("no catalog configured")\nexport default { erp: { path: "x" } }\n`)
      const problems = problemsOf(yield* load(dir))
      assert.match(problems[0] ?? "", /sync\.config\.ts:2:\d+: no catalog configured$/)
    }))

  it.effect("a file without a default export says how to write one", () =>
    Effect.gen(function*() {
      const dir = project(`export const config = { erp: { path: "./catalog.csv" } }\n`)
      const problems = problemsOf(yield* load(dir))
      assert.match(problems[0] ?? "", /export default defineConfig/)
    }))

  it.effect("refuses a token written in the file without repeating it, and an account without a token", () =>
    Effect.gen(function*() {
      const dir = project(`export default { pipedrive: { token: "in-file-secret-999", companyDomain: "acme" }, erp: { path: "./catalog.csv" }, mapping: "./mapping.ts" }\n`)
      const r = yield* load(dir)
      const problems = problemsOf(r)
      assert.match(problems.join("\n"), /^pipedrive\.token: the API token is read from the PIPEDRIVE_API_TOKEN environment variable only/m)
      if (Either.isLeft(r)) assert.notInclude(r.left.message, "in-file-secret-999")
      const noToken = problemsOf(yield* load(project(`export default { pipedrive: { companyDomain: "acme" }, erp: { path: "./catalog.csv" }, mapping: "./mapping.ts" }\n`)))
      assert.match(noToken.join("\n"), /PIPEDRIVE_API_TOKEN is not set, so https:\/\/acme\.pipedrive\.com cannot be reached/)
      const noAccount = problemsOf(yield* load(project(good), { PIPEDRIVE_API_TOKEN: "abc" }))
      assert.match(noAccount.join("\n"), /^pipedrive\.companyDomain: PIPEDRIVE_API_TOKEN is set but no account is named/m)
    }))

  it.effect("without a config file anywhere, runs on the bundled defaults", () =>
    Effect.gen(function*() {
      const empty = mkdtempSync(join(tmpdir(), "catalog-sync-empty-"))
      const r = yield* load(empty)
      if (Either.isLeft(r)) return assert.fail(r.left.message)
      assert.isNull(r.right.source)
      assert.strictEqual(r.right.erp.path, join(Loader.packageRoot, "fixtures/demo-catalog.csv"))
      assert.deepStrictEqual(r.right.pipedrive.target, { _tag: "Emulator" })
    }))
})
