/** Headless Chromium for the HTML report tests: found (or installed) by test/setup/chromium.mjs, which `npm test` runs first. */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import * as Chromium from "../setup/chromium.mjs"

export const chromiumPath = Chromium.find()

/** The DOM of `file` after its scripts ran, with `hash` (`#q=…`) in its URL. */
export const dumpDom = (file: string, hash = ""): string => {
  if (chromiumPath === undefined) {
    throw new Error(`headless Chromium is needed for the HTML report tests and none was found: run \`${Chromium.installCommand()}\` or set CHROMIUM_PATH (npm test does this check first)`)
  }
  const profile = mkdtempSync(join(tmpdir(), "catalog-sync-chromium-"))
  try {
    const r = spawnSync(
      chromiumPath,
      ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`, "--dump-dom", pathToFileURL(file).href + hash],
      { encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }
    )
    if (r.status !== 0 || !r.stdout.includes("</html>")) throw new Error(`chromium failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`)
    return r.stdout
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
}

/** The opening tags of the operations' `<tbody>`s, as attribute maps. */
export const operations = (dom: string): Array<Record<string, string>> =>
  [...dom.matchAll(/<tbody class="op"([^>]*)>/g)].map((m) => {
    const attrs: Record<string, string> = {}
    for (const a of (m[1] ?? "").matchAll(/([\w-]+)(?:="([^"]*)")?/g)) attrs[a[1] as string] = a[2] ?? ""
    return attrs
  })

/** The text content of the element with this id. */
export const textOf = (dom: string, id: string): string | undefined => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(dom)?.[1]
