#!/usr/bin/env node
// Entry point of the `catalog-sync` command. Runs the bundled CLI (bundle/cli.js, built by
// `npm install` / `npm run build`), which starts several times faster than the compiled modules;
// runs those (dist/cli/main.js) instead when the bundle is missing or older than the last tsc
// build, so a checkout rebuilt with tsc alone never runs stale code.
import { statSync } from "node:fs"

const modified = (file) => statSync(new URL(file, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1
const bundled = modified("../bundle/cli.js")
await import(bundled >= 0 && bundled >= modified("../node_modules/.cache/tsconfig.build.tsbuildinfo") ? "../bundle/cli.js" : "../dist/cli/main.js")
