/**
 * A problem with one row of a catalog: where (file, the physical line the record starts on, the
 * column), which product (the key, when the row has one) and why. The row goes to the rejects file
 * and the report; the other rows go on.
 */
import { Data } from "effect"

export class RowError extends Data.TaggedError("RowError")<{
  readonly file: string
  readonly line: number
  /** The column the problem is in; absent when it concerns the whole row (its length, its key). */
  readonly column?: string
  readonly key?: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.file}:${this.line}: ${this.column === undefined ? "" : `column ${JSON.stringify(this.column)}: `}${this.reason}`
  }
}

export const make = (file: string, line: number, reason: string, column?: string, key?: string): RowError =>
  new RowError({
    file,
    line,
    reason,
    ...(column === undefined ? {} : { column }),
    ...(key === undefined || key === "" ? {} : { key })
  })
