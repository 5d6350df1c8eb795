/** Projects in temp folders for the CLI tests: the demo catalog and mapping, a state file of their own. */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const repo = fileURLToPath(new URL("../..", import.meta.url))

/** A folder with the demo catalog, the demo mapping and a config using them (state in the folder). */
export const demoProject = (policies = ""): string => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-demo-"))
  copyFileSync(join(repo, "fixtures", "demo-catalog.csv"), join(dir, "demo-catalog.csv"))
  mkdirSync(join(dir, "mappings"))
  copyFileSync(join(repo, "mappings", "default.ts"), join(dir, "mappings", "default.ts"))
  writeFileSync(
    join(dir, "sync.config.ts"),
    `export default { erp: { path: "./demo-catalog.csv", dialect: { delimiter: ";", decimal: "comma", encoding: "utf-8" } }, mapping: "./mappings/default.ts", ${policies}state: "./state.db" }\n`
  )
  return dir
}

/** A folder whose one ERP product agrees with the emulator's seed: its plan writes nothing. */
export const quietProject = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-quiet-"))
  writeFileSync(join(dir, "c.csv"), "sku;name\nELE-1001;Alpina Pro Monitor Arm\n")
  writeFileSync(join(dir, "m.ts"), `import { defineMapping } from "catalog-sync"\nexport default defineMapping({ key: { erp: "sku" }, fields: { name: { erp: "name" } } })\n`)
  writeFileSync(join(dir, "sync.config.ts"), `export default { erp: { path: "./c.csv" }, mapping: "./m.ts", policies: { mode: "update-only" }, state: "./state.db" }\n`)
  return dir
}

/** No stack frame in a message. */
export const stackFrame = /\n\s+at .*\(.*:\d+:\d+\)/

/** A folder with a one-row catalog, a one-field mapping and a config (`extra`: more settings), state in the folder. */
export const minimalProject = (extra = ""): string => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-min-"))
  writeFileSync(join(dir, "c.csv"), "sku;name\nA-1;Thing\n")
  writeFileSync(join(dir, "m.ts"), "export default { key: { erp: \"sku\" }, fields: { name: { erp: \"name\" } } }\n")
  writeFileSync(join(dir, "sync.config.ts"), `export default { erp: { path: "./c.csv" }, mapping: "./m.ts", ${extra}state: "./state.db" }\n`)
  return dir
}
