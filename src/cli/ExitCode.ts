/**
 * Exit codes, as documented in the README: 0 success (for `plan --detailed-exitcode`: no changes),
 * 1 error, 2 changes present (`plan --detailed-exitcode`), 3 a sync stopped before sending every
 * write (daily budget, run token cap, `--max-writes`; resumable: run again), 4 a sync finished but
 * some writes failed or have an unknown outcome (see the summary). Every error a user can cause is printed
 * here as one clear message, never a stack trace.
 */
import { Console, Effect } from "effect"

export const Ok = 0
export const Error = 1
/** `sync` stopped cleanly before sending everything (budget, token cap, --max-writes): run again to continue. */
export const Stopped = 3
/** `sync` finished, but some writes failed, stayed unknown, or the write-back file could not be written. */
export const Partial = 4

export const set = (code: number): void => {
  process.exitCode = code
}

/** Prints an expected failure (a tagged error with a `message`) to stderr and sets exit code 1. */
export const report = (error: unknown): Effect.Effect<void> => {
  const text =
    typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
      ? error.message
      : String(error)
  return Console.error(text).pipe(Effect.zipRight(Effect.sync(() => set(Error))))
}
