// The configuration catalog-sync runs on when no other is given: the bundled demo catalog, synced
// with the bundled Pipedrive emulator (no account needed). Copy it to start your own; with
// PIPEDRIVE_API_TOKEN and PIPEDRIVE_COMPANY_DOMAIN set, the same file talks to your Pipedrive.
import { defineConfig } from "catalog-sync"

export default defineConfig({
  pipedrive: {
    plan: "growth"
  },
  erp: {
    path: "./fixtures/demo-catalog.csv",
    dialect: { delimiter: ";", decimal: "comma", encoding: "utf-8" },
    writeBack: { path: "./out/demo-catalog.pipedrive-changes.csv", mode: "patch" }
  },
  mapping: "./mappings/default.ts",
  policies: {
    mode: "additive",
    conflicts: "manual",
    deletes: "ignore",
    guards: { maxChangedShare: 0.5, maxDeletedShare: 0.05, maxRowDrop: 0.2 }
  },
  state: ".catalog-sync/state.db"
})
