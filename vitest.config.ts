import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup/yieldBetweenTests.ts"],
    // Most test time is spent waiting on child processes (the built CLI) and the emulator, so more
    // workers than cores keeps both cores of a small CI machine busy (the default is cores - 1).
    maxWorkers: 3,
    minWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 120_000
  }
})
