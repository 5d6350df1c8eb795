/**
 * Imports a user's TypeScript module (a config or a mapping) through jiti, so users write plain
 * `.ts` files without a build step. `import ... from "catalog-sync"` inside them resolves to this
 * package. A failure says where: jiti's syntax errors carry `file:line:col`, runtime errors carry
 * the file in their stack.
 */
import { Data, Effect } from "effect"
import { createJiti } from "jiti"
import { fileURLToPath } from "node:url"

/** The module could not be loaded; `at` is `file:line:col` when known, else the file. */
export class ImportError extends Data.TaggedError("ImportError")<{ readonly at: string; readonly reason: string }> {}

const ownIndex = fileURLToPath(new URL(`../index${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url))

const locationIn = (file: string, error: unknown): string => {
  const text = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error)
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  const m = new RegExp(`${escaped}:(\\d+)(?::(\\d+))?`).exec(text)
  return m ? `${file}:${m[1]}${m[2] ? `:${m[2]}` : ""}` : file
}

/** The module's exports. */
export const importModule = (file: string) =>
  Effect.tryPromise({
    try: () =>
      createJiti(import.meta.url, { moduleCache: false, fsCache: false, alias: { "catalog-sync": ownIndex } }).import<Record<string, unknown>>(file),
    catch: (error) => {
      const raw = error instanceof Error ? error.message : String(error)
      const reason = raw.split("\n")[0]?.replace(/^(Error: )?ParseError: /, "syntax error: ").trim() || "cannot be loaded"
      return new ImportError({ at: locationIn(file, error), reason })
    }
  })

/** The default export, or `undefined` (jiti hands back the namespace as `default` when there is none). */
export const defaultExport = (module: Record<string, unknown>): unknown =>
  module.default === module || (typeof module.default === "object" && module.default !== null && "__esModule" in module.default)
    ? undefined
    : module.default
