/**
 * Lets the event loop turn after every test. Many CLI tests run the built CLI synchronously
 * (`runCli`); one after another they would keep a worker from answering vitest's own messages for
 * longer than its 60 s timeout ("Timeout calling onTaskUpdate"), which fails the run even when
 * every test passed. A macrotask between tests lets those answers in.
 */
import { afterEach } from "vitest"

afterEach(() => new Promise<void>((resolve) => setTimeout(resolve, 0)))
