/**
 * `catalog-sync inspect FILE`: what the CSV reader makes of a file — encoding, delimiter, decimal
 * style, header line, columns, row count, row errors — before anyone writes a mapping for it.
 * Detection can be overridden as in `erp.dialect`. Exit 1 on a file-level problem.
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import type * as Dialect from "../erp/Dialect.js"
import * as Inspect from "../erp/Inspect.js"
import * as ExitCode from "./ExitCode.js"

const file = Args.text({ name: "FILE" }).pipe(Args.withDescription("the CSV file to inspect"))
const json = Options.boolean("json").pipe(Options.withDescription("print the report as JSON"))
const delimiter = Options.choice("delimiter", [",", ";", "tab", "|"]).pipe(
  Options.withDescription("the field delimiter, instead of detecting it"),
  Options.optional
)
const encoding = Options.choice("encoding", ["utf-8", "utf-16le", "utf-16be", "windows-1252", "latin1"]).pipe(
  Options.withDescription("the text encoding, instead of detecting it"),
  Options.optional
)
const decimal = Options.choice("decimal", ["point", "comma"]).pipe(Options.withDescription("how decimals are written"), Options.optional)
const skipLines = Options.integer("skip-lines").pipe(Options.withDescription("lines to skip before the header"), Options.optional)
const noHeader = Options.boolean("no-header").pipe(Options.withDescription("the file has no header row"))

/** The dialect options, shared with `init`. */
export const dialectOptions = { delimiter, encoding, decimal, skipLines, noHeader }

/** The dialect the options set (the rest is detected). */
export const dialectInput = (args: {
  readonly delimiter: Option.Option<string>
  readonly encoding: Option.Option<Dialect.Input["encoding"] & string>
  readonly decimal: Option.Option<"point" | "comma">
  readonly skipLines: Option.Option<number>
  readonly noHeader: boolean
}): Dialect.Input => ({
  ...Option.match(args.delimiter, { onNone: () => ({}), onSome: (d) => ({ delimiter: (d === "tab" ? "\t" : d) as Dialect.Delimiter }) }),
  ...Option.match(args.encoding, { onNone: () => ({}), onSome: (e) => ({ encoding: e }) }),
  ...Option.match(args.decimal, { onNone: () => ({}), onSome: (d) => ({ decimal: d }) }),
  ...Option.match(args.skipLines, { onNone: () => ({}), onSome: (n) => ({ skipLines: Math.max(0, n) }) }),
  ...(args.noHeader ? { header: false } : {})
})

export const command = Command.make(
  "inspect",
  { file, json, ...dialectOptions },
  (args) =>
    Effect.gen(function*() {
      const input = dialectInput(args)
      yield* Inspect.run(args.file, input).pipe(
        Effect.matchEffect({
          onFailure: ExitCode.report,
          onSuccess: (report) => Console.log(args.json ? JSON.stringify(report, null, 2) : Inspect.render(report))
        })
      )
    })
).pipe(
  Command.withDescription(
    "Show how an ERP CSV file reads: detected encoding, delimiter, decimal style, header line, column names and types, row count and row errors. Run it before writing a mapping. Exit 1 when the file cannot be read (not found, empty, undecodable, malformed).\n\nExamples:\n  catalog-sync inspect fixtures/demo-catalog.csv\n  catalog-sync inspect export.csv --json\n  catalog-sync inspect artikel.csv --encoding windows-1252 --delimiter ';' --no-header"
  )
)
