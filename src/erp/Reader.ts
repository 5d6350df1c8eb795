/**
 * Reads a CSV file as a `Stream` of rows in constant memory: the dialect is detected from the first
 * bytes (configuration overrides win), the header row is read from the same sample, and the rows
 * are decoded and tokenized chunk by chunk. Each row keeps its physical start line and its exact
 * source text, so errors point at the right line and an unchanged row can be written back byte for
 * byte.
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import * as Dialect from "./Dialect.js"
import * as Encoding from "./Encoding.js"
import * as FileError from "./FileError.js"
import * as Tokenizer from "./Tokenizer.js"

export type Row = Tokenizer.Record

export interface Header {
  /** The header's physical line; 0 when the file has none. */
  readonly line: number
  /** Column names: the header cells with white space trimmed and collapsed, the configured names, or 1, 2, … */
  readonly names: ReadonlyArray<string>
  /** The header cells exactly as in the file (empty without a header row). */
  readonly cells: ReadonlyArray<string>
  /** The header's source text, line break included ("" without a header row). */
  readonly raw: string
  /** The lines skipped before the header, exactly. */
  readonly preamble: string
}

export interface Source {
  readonly file: string
  readonly dialect: Dialect.Dialect
  readonly header: Header
  /** The data rows, read afresh from the file each time the stream runs. */
  readonly rows: Stream.Stream<Row, FileError.CsvFileError>
}

/** Bytes read for detection; the header row must fit in them. */
export const SAMPLE_BYTES = 64 * 1024
/**
 * Bytes per read. Kept under V8's large-object size (128 KiB of one-byte text): a larger decoded
 * string goes to large-object space, is promoted whole the first time a scavenge finds it alive,
 * and then waits there for a full collection (at 256 KiB that was ~35 MB of dead text per 1M rows).
 */
const CHUNK_BYTES = 64 * 1024

const platformError = (file: string) => (e: PlatformError): FileError.CsvFileError =>
  e._tag === "SystemError" && e.reason === "NotFound"
    ? FileError.make(file, "NotFound", "no such file")
    : FileError.make(file, "Unreadable", `cannot be read: ${e.message}`)

const encodingError = (file: string) => (p: Encoding.Problem) => FileError.make(file, "Encoding", p.message)

const normalizeName = (cell: string): string => cell.replace(/\s+/g, " ").trim()

const sample = (fs: FileSystem.FileSystem, file: string) =>
  Effect.scoped(
    Effect.gen(function*() {
      const info = yield* fs.stat(file)
      if (info.type === "Directory") return yield* Effect.fail(FileError.make(file, "Unreadable", "is a directory, not a file"))
      const handle = yield* fs.open(file, { flag: "r" })
      const bytes = yield* handle.readAlloc(SAMPLE_BYTES)
      const size = Number(info.size)
      return { bytes: Option.getOrElse(bytes, () => new Uint8Array(0)), complete: size <= SAMPLE_BYTES }
    })
  ).pipe(Effect.catchTag("SystemError", (e) => Effect.fail(platformError(file)(e))), Effect.catchTag("BadArgument", (e) => Effect.fail(platformError(file)(e))))

/**
 * Decoded, tokenized records of the whole file (preamble dropped). The file is read into one reused
 * buffer and each read's rows are emitted as one chunk: no per-read allocation, no re-chunking.
 */
const records = (fs: FileSystem.FileSystem, file: string, dialect: Dialect.Dialect): Stream.Stream<Row, FileError.CsvFileError> =>
  Stream.unwrapScoped(
    Effect.map(Effect.mapError(fs.open(file, { flag: "r" }), platformError(file)), (handle) => {
      const decoder = Encoding.decoder(dialect.encoding)
      const tokenizer = Tokenizer.make({ delimiter: dialect.delimiter, quote: dialect.quote, skipLines: dialect.skipLines })
      const buffer = new Uint8Array(CHUNK_BYTES)
      let offset = 0
      let done = false
      const fail = (e: FileError.CsvFileError) => Effect.fail(Option.some(e))
      const rows = (text: Either.Either<string, Encoding.Problem>, end: boolean) => {
        if (Either.isLeft(text)) return fail(encodingError(file)(text.left))
        const out: Array<Row> = []
        tokenizer.push(text.right, out)
        if (end) {
          const u = tokenizer.end(out)
          if (u !== undefined) {
            return fail(FileError.make(file, "Malformed", `line ${u.line}: a quote opens a field that never closes; the rest of the file would be swallowed into it`))
          }
          const notUtf8 = Encoding.notUtf8(dialect.encoding, decoder.tally)
          if (notUtf8 !== undefined) return fail(FileError.make(file, "Encoding", notUtf8))
        }
        // Only once the file has shown a damaged byte are rows searched for them.
        if (decoder.tally.invalidBytes > 0 || decoder.tally.nuls > 0) markDamaged(out)
        return Effect.succeed(out)
      }
      // One pull: the rows of the next read that completes at least one row, or the end.
      const pull: Effect.Effect<Chunk.Chunk<Row>, Option.Option<FileError.CsvFileError>> = Effect.suspend(() => {
        if (done) return Effect.fail(Option.none())
        return handle.read(buffer).pipe(
          Effect.mapError((e) => Option.some(platformError(file)(e))),
          Effect.flatMap((size) => {
            const n = Number(size)
            done = n === 0
            const text = done ? decoder.end() : decoder.write(buffer.subarray(0, n), offset)
            offset += n
            return rows(text, done)
          }),
          Effect.flatMap((out) => (out.length > 0 ? Effect.succeed(Chunk.unsafeFromArray(out)) : pull))
        )
      })
      return Stream.repeatEffectChunkOption(pull)
    })
  )

/**
 * A row with no value in any cell (`;;;;` — spreadsheets save empty rows so): not a product and not
 * an error; catalogs skip it and count it.
 */
export const isBlank = (row: Row): boolean => {
  for (const c of row.cells) if (c.trim() !== "") return false
  return true
}

/** Marks the rows with a damaged cell (bytes that are not valid UTF-8, NUL bytes). */
const markDamaged = (rows: Array<Row>): void => {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row
    if (Encoding.isDamaged(row.raw)) rows[i] = { ...row, damaged: true }
  }
}

/**
 * Opens a CSV file: detects its encoding and dialect (configuration first), reads its header and
 * returns the stream of its data rows. File-level problems fail here, before any row is read.
 */
export const open = (file: string, input: Dialect.Input = {}): Effect.Effect<Source, FileError.CsvFileError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const { bytes, complete } = yield* sample(fs, file)
    const encoding = yield* Encoding.detect(bytes, input.encoding ?? "auto", complete).pipe(Either.mapLeft(encodingError(file)))
    const bomBytes = encoding.bom ? Encoding.bomLength(encoding.name) : 0
    if (bytes.length <= bomBytes) return yield* Effect.fail(FileError.make(file, "Empty", "the file is empty"))
    // Decode the sample cut at its last line break, so that no character or record is cut in half.
    const decoded = yield* Encoding.decodeAll(bytes, encoding, complete).pipe(Either.mapLeft(encodingError(file)))
    const cut = complete ? decoded.length : Math.max(decoded.lastIndexOf("\n"), decoded.lastIndexOf("\r")) + 1
    const text = decoded.slice(0, cut)
    if (text.trim() === "") return yield* Effect.fail(FileError.make(file, "Empty", complete ? "the file is empty (only white space)" : "no line break in the first 64 KiB"))
    const dialect = yield* Dialect.detect(text, complete, encoding, input).pipe(Either.mapLeft((m) => FileError.make(file, "Empty", m)))
    const tokenizer = Tokenizer.make({ delimiter: dialect.delimiter, quote: dialect.quote, skipLines: dialect.skipLines })
    const first: Array<Row> = []
    tokenizer.push(text, first)
    if (complete && tokenizer.end(first) !== undefined && first.length === 0) {
      return yield* Effect.fail(FileError.make(file, "Malformed", "the first line opens a quote that never closes"))
    }
    const headRow = first[0]
    if (headRow === undefined) return yield* Effect.fail(FileError.make(file, "Malformed", "the header row does not end within the first 64 KiB"))
    const width = Math.max(...first.slice(0, 200).map((r) => r.cells.length))
    const header: Header = dialect.header
      ? { line: headRow.line, names: headRow.cells.map(normalizeName), cells: headRow.cells, raw: headRow.raw, preamble: tokenizer.skipped() }
      : {
        line: 0,
        names: dialect.names ?? Array.from({ length: width }, (_, i) => String(i + 1)),
        cells: [],
        raw: "",
        preamble: tokenizer.skipped()
      }
    const all = records(fs, file, dialect)
    const rows = dialect.header ? Stream.drop(all, 1) : all
    return { file, dialect, header, rows }
  })
