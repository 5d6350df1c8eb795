#!/usr/bin/env node
// Entry point of the `catalog-sync` command: runs the compiled CLI (built by `npm install` / `npm run build`).
import "../dist/cli/main.js"
