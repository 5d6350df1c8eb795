/** Runs the built CLI (`bin/catalog-sync.js`) as a subprocess, the way a user does. */
import { execFile, spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

/** The CLI under test: the built `bin/catalog-sync.js`, or the entry named by `CATALOG_SYNC_TEST_BIN`. */
export const bin = process.env.CATALOG_SYNC_TEST_BIN ?? fileURLToPath(new URL("../../bin/catalog-sync.js", import.meta.url))

export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export const runCli = (args: ReadonlyArray<string>, options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Result => {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", PIPEDRIVE_API_TOKEN: undefined, PIPEDRIVE_COMPANY_DOMAIN: undefined, PIPEDRIVE_BASE_URL: undefined, ...options.env }
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? process.cwd(), env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/**
 * Runs the built CLI without blocking this process — for tests whose emulator answers from here.
 * `env` is merged over the environment as in `runCli` (undefined removes a variable).
 */
export const runCliAsync = (args: ReadonlyArray<string>, options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<Result> =>
  new Promise((resolve) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", PIPEDRIVE_API_TOKEN: undefined, PIPEDRIVE_COMPANY_DOMAIN: undefined, PIPEDRIVE_BASE_URL: undefined, ...options.env }
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
    execFile(process.execPath, [bin, ...args], { cwd: options.cwd ?? process.cwd(), env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr }))
  })
