/** The package's name and version, read once from package.json (the CLI and the User-Agent show them). */
import { readFileSync } from "node:fs"

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { name: string; version: string }

export const name: string = pkg.name
export const version: string = pkg.version
