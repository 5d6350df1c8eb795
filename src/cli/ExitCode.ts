/**
 * Exit codes, as documented in the README: 0 success (for `plan --detailed-exitcode`: no changes),
 * 1 error, 2 changes present (`plan --detailed-exitcode`). Every error a user can cause is printed
 * here as one clear message, never a stack trace.
 */
import { Console, Effect } from "effect"

export const Ok = 0
export const Error = 1

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
