/**
 * Checks that a mapping module's default export is a mapping (`defineMapping({...})`) at run time
 * too — a mapping may be plain JavaScript, or typed loosely — so a misspelt option is a problem with
 * its path, never silently ignored. Loading the module is config/Loader.ts's (`loadMapping`).
 */
import { Either, Schema } from "effect"
import { ConflictPolicy } from "../domain/Policy.js"
import * as Problem from "../domain/Problem.js"
import { Direction, Side } from "../domain/Side.js"
import type { MappingInput } from "./Mapping.js"

const Drift = Schema.Literal("restore", "report")
const StringMap = Schema.Record({ key: Schema.String, value: Schema.String })
const Fn = Schema.declare((u: unknown): u is (...args: ReadonlyArray<never>) => unknown => typeof u === "function", { description: "a function" })

const ValueType = Schema.Union(
  Schema.Literal("text", "decimal", "integer", "boolean", "money"),
  Schema.Struct({ enum: StringMap }),
  Schema.Struct({ set: Schema.Struct({ separator: Schema.String.pipe(Schema.minLength(1)), values: Schema.optional(StringMap) }) })
)

const FieldMappingSchema = Schema.Struct({
  erp: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String))),
  type: Schema.optional(ValueType),
  decimal: Schema.optional(Schema.Literal("point", "comma", "auto")),
  direction: Schema.optional(Direction),
  owner: Schema.optional(Side),
  conflicts: Schema.optional(ConflictPolicy),
  drift: Schema.optional(Drift),
  default: Schema.optional(Schema.String),
  trim: Schema.optional(Schema.Boolean),
  case: Schema.optional(Schema.Literal("upper", "lower")),
  booleans: Schema.optional(Schema.Struct({ true: Schema.Array(Schema.String), false: Schema.Array(Schema.String) })),
  compute: Schema.optional(Fn),
  currency: Schema.optional(Schema.String)
})

const MappingSchema = Schema.Struct({
  key: Schema.Struct({ erp: Schema.String.pipe(Schema.minLength(1)), pipedrive: Schema.optional(Schema.String) }),
  fields: Schema.Record({ key: Schema.String, value: FieldMappingSchema }),
  createMissingFields: Schema.optional(Schema.Boolean),
  rows: Schema.optional(Schema.Struct({
    where: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Array(Schema.String)) })),
    duplicates: Schema.optional(Schema.Literal("reject", "first", "last"))
  })),
  drift: Schema.optional(Drift)
})

/** Checks a value is a mapping (shape only; `Compile` checks it against the file and the account), or every problem with where it is. */
export const decode = (raw: unknown): Either.Either<MappingInput, ReadonlyArray<Problem.Problem>> => {
  if (raw === undefined || raw === null || typeof raw !== "object") {
    return Either.left([Problem.make("", "the file must `export default defineMapping({ key: ..., fields: ... })`")])
  }
  const r = Schema.decodeUnknownEither(MappingSchema, { errors: "all", onExcessProperty: "error" })(raw)
  if (Either.isLeft(r)) return Either.left(Problem.fromParseError(r.left))
  const key = r.right.key.pipedrive
  if (key !== undefined && key !== "code" && !key.startsWith("custom.")) {
    return Either.left([Problem.make("key.pipedrive", `expected "code" or "custom.<label>", got ${JSON.stringify(key)}`)])
  }
  return Either.right(raw as MappingInput)
}
