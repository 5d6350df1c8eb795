/**
 * What the commands write and how: colour only on a terminal (NO_COLOR turns it off, FORCE_COLOR on),
 * reports to stdout or a file, progress lines (count, rate, ETA) on a TTY's stderr and nothing
 * elsewhere, and logs on stderr as text or JSON lines (`--log-format`; the level is @effect/cli's `--log-level`).
 */
import { Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Data, Effect, type Layer, Logger, Option, Stream } from "effect"
import * as Paint from "../report/Paint.js"

/** Whether to colour output written to `stream` (https://no-color.org, FORCE_COLOR). */
export const useColor = (stream: { readonly isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean => {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "") return env.FORCE_COLOR !== "0"
  return stream.isTTY === true && env.TERM !== "dumb"
}

const sgrCodes = /\u001b\[[0-9;]*m/g
const strip = (on: boolean) => (arg: unknown) => (on && typeof arg === "string" ? arg.replace(sgrCodes, "") : arg)

/**
 * Runs `effect` with a console that drops colour codes from what goes to a stream that must not be
 * coloured (a pipe, a file, NO_COLOR): @effect/cli paints `--help` and its messages unconditionally.
 */
export const withPlainConsole = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((console) => {
    const out = strip(!useColor(process.stdout))
    const err = strip(!useColor(process.stderr))
    const plainConsole: Console.Console = {
      ...console,
      log: (...args) => console.log(...args.map(out)),
      info: (...args) => console.info(...args.map(out)),
      error: (...args) => console.error(...args.map(err)),
      warn: (...args) => console.warn(...args.map(err)),
      unsafe: {
        ...console.unsafe,
        log: (...args) => console.unsafe.log(...args.map(out)),
        info: (...args) => console.unsafe.info(...args.map(out)),
        error: (...args) => console.unsafe.error(...args.map(err)),
        warn: (...args) => console.unsafe.warn(...args.map(err))
      }
    }
    return Effect.withConsole(effect, plainConsole)
  })

/** The paint for stdout. */
export const stdoutPaint = (): Paint.Paint => (useColor(process.stdout) ? Paint.ansi : Paint.plain)

/**
 * Writes `text` to the file `out` (then says so on stdout: `The plan is in plan.html.`), or to
 * stdout. A file that cannot be written is a clear failure.
 */
export const emit = (text: string, out: Option.Option<string>, what: string) =>
  Option.match(out, {
    onNone: () => Console.log(text),
    onSome: (file) =>
      Effect.flatMap(FileSystem.FileSystem, (fs) => fs.writeFileString(file, text.endsWith("\n") ? text : `${text}\n`)).pipe(
        Effect.mapError((e) => new OutputError({ message: `cannot write ${file}: ${e.message}` })),
        Effect.zipRight(Console.log(`${what} is in ${file}.`))
      )
  })

/** A report file cannot be written. */
export class OutputError extends Data.TaggedError("OutputError")<{ readonly message: string }> {}

/** `--out FILE`, shared by the commands that write a report. */
export const outOption = Options.text("out").pipe(Options.optional, Options.withDescription("write the report to this file instead of the terminal"))

/** `--json`, shared by the read-only commands. */
export const jsonOption = Options.boolean("json").pipe(Options.withDescription("print the result as JSON"))

// ---- progress -----------------------------------------------------------------------------------

const number = (n: number) => Math.round(n).toLocaleString("en-US")

const seconds = (s: number) => (s < 60 ? `${Math.ceil(s)} s` : s < 3600 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`)

/** One progress line: `pulling Pipedrive products  1,200 / 5,000  400/s  ETA 10 s`. */
export const progressLine = (label: string, count: number, total: number | undefined, elapsedMs: number): string => {
  const rate = elapsedMs > 0 ? (count * 1000) / elapsedMs : 0
  const parts = [label, total === undefined ? number(count) : `${number(count)} / ${number(total)}`, `${number(rate)}/s`]
  if (total !== undefined && rate > 0 && count < total) parts.push(`ETA ${seconds((total - count) / rate)}`)
  return parts.join("  ")
}

export interface Progress {
  /** Counts `n` more items done. */
  readonly advance: (n: number) => void
  /** Ends the line (prints the final count once). */
  readonly done: () => void
}

export interface ProgressOptions {
  readonly stream?: { readonly isTTY?: boolean; write(text: string): unknown }
  readonly now?: () => number
  /** Least time between redraws. */
  readonly everyMs?: number
}

/** A progress line on a TTY's stderr, redrawn at most every 100 ms; on a non-TTY it writes nothing. */
export const progress = (label: string, total: number | undefined, options: ProgressOptions = {}): Progress => {
  const stream = options.stream ?? process.stderr
  if (stream.isTTY !== true) return { advance: () => {}, done: () => {} }
  const now = options.now ?? Date.now
  const every = options.everyMs ?? 100
  const started = now()
  let count = 0
  let drawn = -Infinity
  const draw = () => {
    drawn = now()
    stream.write(`\r\u001b[2K${progressLine(label, count, total, drawn - started)}`)
  }
  return {
    advance: (n) => {
      count += n
      if (now() - drawn >= every) draw()
    },
    done: () => {
      draw()
      stream.write("\n")
    }
  }
}

/** Shows a stream's progress (its element count) while it runs: `stream.pipe(Output.track("pushing", 120))`. */
export const track = (label: string, total?: number, options?: ProgressOptions) => <A, E, R>(self: Stream.Stream<A, E, R>): Stream.Stream<A, E, R> =>
  Stream.unwrapScoped(
    Effect.map(
      Effect.acquireRelease(Effect.sync(() => progress(label, total, options)), (p) => Effect.sync(() => p.done())),
      (p) => Stream.mapChunks(self, (chunk) => (p.advance(chunk.length), chunk))
    )
  )

// ---- logs ---------------------------------------------------------------------------------------

export const logFormats = ["text", "json"] as const
export type LogFormat = (typeof logFormats)[number]
export const logFormatOption = Options.choice("log-format", logFormats).pipe(
  Options.withDefault("text" as const),
  Options.withDescription("logs (on stderr) as text for people or as JSON lines for machines")
)


/**
 * The logger for `--log-format`: everything on stderr, so stdout stays the report's. The level is
 * @effect/cli's built-in `--log-level` (default: info and above).
 */
export const loggerLayer = (format: LogFormat): Layer.Layer<never> =>
  Logger.replace(
    Logger.defaultLogger,
    format === "json" ? Logger.withConsoleError(Logger.jsonLogger) : Logger.prettyLogger({ stderr: true, colors: useColor(process.stderr), mode: "tty" })
  )

// ---- tables and state ---------------------------------------------------------------------------

/** Columns aligned with two spaces between them; the header bold when painted. */
export const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, paint: Paint.Paint = Paint.plain): string => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd()
  return [paint.bold(line(head)), ...rows.map(line)].join("\n")
}

/** The state file exists (read-only commands never create one). */
export const stateExists = (path: string) => Effect.flatMap(FileSystem.FileSystem, (fs) => fs.exists(path)).pipe(Effect.orElseSucceed(() => false))
