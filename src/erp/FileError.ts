/**
 * A problem with a whole CSV file: it stops the run before anything is written. `reason` says which
 * kind, `message` says it the way a user can act on it (which file, which byte or line, what to set).
 */
import { Data } from "effect"

export type Reason =
  | "NotFound"
  | "Unreadable"
  | "Empty"
  | "Encoding"
  | "Malformed"
  | "MissingColumns"
  | "DuplicateColumns"
  | "AmbiguousDecimal"
  | "Unwritable"

export class CsvFileError extends Data.TaggedError("CsvFileError")<{
  readonly file: string
  readonly reason: Reason
  readonly message: string
}> {}

export const make = (file: string, reason: Reason, detail: string): CsvFileError =>
  new CsvFileError({ file, reason, message: `${file}: ${detail}` })
