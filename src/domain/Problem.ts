/**
 * A problem with user input, said the way a user can act on it: where (a dotted path, a file and
 * line, a product key) and what was expected. Schema decode failures are turned into one problem
 * per leaf, all at once, with unions described as `"a" | "b"` instead of one line per member.
 */
import { Array as Arr, ParseResult, SchemaAST } from "effect"
import * as Suggest from "./Suggest.js"

export interface Problem {
  /** Where: `policies.conflicts`, `fixtures/catalog.csv:12`, … (empty when it concerns the whole input). */
  readonly at: string
  readonly message: string
}

export const make = (at: string, message: string): Problem => ({ at, message })

export const render = (p: Problem): string => (p.at === "" ? p.message : `${p.at}: ${p.message}`)

const showActual = (u: unknown): string => {
  if (u === undefined) return "nothing"
  if (typeof u === "string") return JSON.stringify(u)
  if (typeof u === "number" || typeof u === "boolean" || u === null) return String(u)
  if (Array.isArray(u)) return "an array"
  if (typeof u === "function") return "a function"
  return "an object"
}

const joinPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join("")

/** Members of a union AST, unions flattened, `undefined` dropped (it only marks optional keys). */
const members = (ast: SchemaAST.AST): ReadonlyArray<SchemaAST.AST> =>
  SchemaAST.isUnion(ast)
    ? ast.types.flatMap(members)
    : SchemaAST.isUndefinedKeyword(ast) || (SchemaAST.isLiteral(ast) && ast.literal === undefined)
      ? []
      : [ast]

const describe = (ast: SchemaAST.AST): string => {
  const own = SchemaAST.getDescriptionAnnotation(ast).pipe((o) => (o._tag === "Some" ? o.value : undefined))
  if (own !== undefined) return own
  if (SchemaAST.isUnion(ast)) return members(ast).map(describe).join(" | ")
  if (SchemaAST.isLiteral(ast)) return JSON.stringify(ast.literal)
  if (SchemaAST.isStringKeyword(ast)) return "a string"
  if (SchemaAST.isNumberKeyword(ast)) return "a number"
  if (SchemaAST.isBooleanKeyword(ast)) return "true or false"
  if (SchemaAST.isTypeLiteral(ast)) return ast.indexSignatures.length > 0 ? "a record" : "an object"
  if (SchemaAST.isTupleType(ast)) return "an array"
  if (SchemaAST.isRefinement(ast) || SchemaAST.isTransformation(ast)) {
    const inner = SchemaAST.isRefinement(ast) ? ast.from : ast.to
    return describe(inner)
  }
  return String(ast)
}

const leafMessage = (issue: ParseResult.ParseIssue): string =>
  ParseResult.ArrayFormatter.formatIssueSync(issue)[0]?.message ?? "is invalid"

const walk = (
  issue: ParseResult.ParseIssue,
  path: ReadonlyArray<PropertyKey>,
  knownKeys: ReadonlyArray<string> = []
): Array<Problem> => {
  switch (issue._tag) {
    case "Pointer":
      return walk(issue.issue, [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path as PropertyKey])], knownKeys)
    case "Missing":
      return [make(joinPath(path), "is required")]
    case "Unexpected": {
      const key = String(path[path.length - 1] ?? "")
      const hint = Suggest.didYouMean(key, knownKeys)
      const known = knownKeys.length > 0 ? `known settings here: ${knownKeys.join(", ")}` : ""
      return [make(joinPath(path), ["unknown setting", hint, known].filter((s) => s !== "").join("; "))]
    }
    case "Type":
      return [make(joinPath(path), `expected ${describe(issue.ast)}, got ${showActual(issue.actual)}`)]
    case "Forbidden":
      return [make(joinPath(path), issue.message ?? "is not allowed here")]
    case "Transformation":
      // A value of the right kind that does not convert ("19,5" for a decimal): say what converts.
      if (issue.kind !== "Transformation") return walk(issue.issue, path, knownKeys)
      if (SchemaAST.getDescriptionAnnotation(issue.ast)._tag === "Some" || issue.issue._tag !== "Type" || issue.issue.message === undefined) {
        return [make(joinPath(path), `expected ${describe(issue.ast)}, got ${showActual(issue.actual)}`)]
      }
      return [make(joinPath(path), issue.issue.message)]
    case "Refinement": {
      if (issue.kind === "From") return walk(issue.issue, path)
      const custom = SchemaAST.getMessageAnnotation(issue.ast)
      if (custom._tag === "Some") return [make(joinPath(path), leafMessage(issue))]
      const text = leafMessage(issue).replace(/^Expected /, "expected ").replace(/, actual /, ", got ")
      return [make(joinPath(path), text)]
    }
    case "Composite": {
      const children = (Arr.isArray(issue.issues) ? issue.issues : [issue.issues]) as ReadonlyArray<ParseResult.ParseIssue>
      if (SchemaAST.isUnion(issue.ast)) {
        // One member got far enough to complain about its insides (an object with a wrong key):
        // report those; otherwise the value matched no member at all.
        const deep = children.filter((c) => c._tag !== "Type")
        if (deep.length > 0) return deep.flatMap((c) => walk(c, path))
        return [make(joinPath(path), `expected ${members(issue.ast).map(describe).join(" | ")}, got ${showActual(issue.actual)}`)]
      }
      const keys = SchemaAST.isTypeLiteral(issue.ast)
        ? issue.ast.propertySignatures.map((p) => String(p.name))
        : SchemaAST.isTransformation(issue.ast) && SchemaAST.isTypeLiteral(issue.ast.from)
          ? issue.ast.from.propertySignatures.map((p) => String(p.name))
          : []
      return children.flatMap((c) => walk(c, path, keys))
    }
  }
}

/** Every problem in a Schema decode failure, with its path. */
export const fromParseError = (error: ParseResult.ParseError, prefix: ReadonlyArray<PropertyKey> = []): Array<Problem> =>
  walk(error.issue, prefix)
