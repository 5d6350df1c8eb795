/**
 * Whether a write reached Pipedrive, when its answer never came (DESIGN §6.4): a create is looked up
 * by its key (search by code, or for a custom-field key the products updated since the write); an
 * update or archive by reading the product back and comparing the fields it was to change; a
 * delete by reading the product back. Also: which of a write's fields Pipedrive confirms holding,
 * so that the base advances for those only; what the journal keeps of an operation, and the body an
 * operation sends, checked against the client's body schemas.
 */
import { Effect, Either, type ParseResult, Schema, Stream } from "effect"
import * as Field from "../domain/Field.js"
import * as Plan from "../domain/Plan.js"
import * as Problem from "../domain/Problem.js"
import type * as Compile from "../mapping/Compile.js"
import * as PipedriveSide from "../mapping/PipedriveSide.js"
import * as Endpoint from "../pipedrive/Endpoint.js"
import { Pipedrive } from "../pipedrive/Pipedrive.js"
import { PipedriveError } from "../pipedrive/PipedriveError.js"
import * as Wire from "../pipedrive/Wire.js"

/** What the journal keeps of an operation: the plan's operation (encoded JSON) and a version. */
export const payloadVersion = 1

const encodeOperation = Schema.encodeSync(Plan.Operation)
const decodeOperation = Schema.decodeUnknownEither(Plan.Operation)

/** The journal payload of an operation: everything a later run needs to finish it without the plan. */
export const toPayload = (op: Plan.Operation): unknown => ({ v: payloadVersion, ...encodeOperation(op) })

/** The operation a journal payload carries, or why it cannot be read. */
export const fromPayload = (payload: unknown): Either.Either<Plan.Operation, string> =>
  Either.mapLeft(decodeOperation(payload), (e) => `the journaled operation cannot be read: ${e.message.slice(0, 200)}`)

/** The body as the plan holds it: keys it does not know kept, the order of its keys too. */
const asPlanned = { onExcessProperty: "preserve", propertyOrder: "original" } as const

const bodyOf = <A>(decode: (u: unknown) => Either.Either<A, ParseResult.ParseError>, endpoint: Endpoint.Endpoint) => (op: Plan.Operation) =>
  Effect.mapError(decode(op.body ?? {}), (e) =>
    new PipedriveError({
      reason: "Validation",
      method: endpoint.method,
      path: endpoint.template,
      detail: `not sent: the plan's body for ${op.key} is not an API v2 product body (${Problem.fromParseError(e).map(Problem.render).join("; ")})`,
      ambiguous: false
    }))

/**
 * The body of a create, as the client sends it: the plan keeps it as any JSON object (a plan may
 * come from a file); one that is not a product body fails as `Validation`, unsent, as Pipedrive
 * would refuse it.
 */
export const createBody = bodyOf(Schema.decodeUnknownEither(Wire.ProductCreate, asPlanned), Endpoint.createProduct)
/** The body of an update or an archive (a PATCH), checked as `createBody` checks a create's. */
export const patchBody = bodyOf(Schema.decodeUnknownEither(Wire.ProductPatch, asPlanned), Endpoint.updateProduct)

export type Outcome =
  /** The write is in Pipedrive; `product` is the product as it is now (`undefined` for a delete). */
  | { readonly _tag: "Applied"; readonly product: Wire.Product | undefined }
  /** The write surely is not in Pipedrive: it may be sent (or planned) again. */
  | { readonly _tag: "NotApplied"; readonly why: string }
  /** It cannot be told, and must not be sent again (several products carry the key; the product is gone). */
  | { readonly _tag: "Unresolvable"; readonly message: string }

export interface Confirmation {
  /** Paths whose written value Pipedrive holds (the base may advance for these). */
  readonly confirmed: ReadonlyArray<Plan.FieldChange>
  /** Paths where Pipedrive holds something else. */
  readonly differing: ReadonlyArray<{ readonly path: string; readonly held: string; readonly wrote: string }>
}

/** Which of the operation's field changes the product holds. */
export const confirm = (compiled: Compile.Compiled, op: Plan.Operation, wire: Wire.Product): Confirmation => {
  const mapped = PipedriveSide.fromWire(compiled, wire)
  const fields = Either.isRight(mapped) ? Field.flatten(mapped.right) : new Map<string, Field.Value>()
  const confirmed: Array<Plan.FieldChange> = []
  const differing: Array<{ path: string; held: string; wrote: string }> = []
  for (const c of op.changes) {
    let held: Field.Value
    if (c.path === "code") held = wire.code ?? null
    else if (c.path === "linkable") held = wire.is_linkable !== false
    else if (compiled.byPath.has(c.path)) held = fields.get(c.path) ?? null
    else continue
    if (Field.equals(c.path, held, c.after, compiled.currencies)) confirmed.push(c)
    else differing.push({ path: c.path, held: Field.show(Field.normalize(c.path, held)), wrote: Field.show(c.after) })
  }
  return { confirmed, differing }
}

const isNotFound = (e: PipedriveError) => e.reason === "NotFound"

/** A create: is a product with this key in Pipedrive now? `since` bounds the list used for custom-field keys. */
const lookupCreate = (compiled: Compile.Compiled, op: Plan.Operation, since: Date) =>
  Effect.gen(function*() {
    const pd = yield* Pipedrive
    let ids: ReadonlyArray<number>
    if (compiled.key.pipedrive.kind === "code") {
      ids = (yield* pd.searchByCode(op.key)).map((i) => i.id)
    } else {
      const found = yield* pd.products({ updatedSince: new Date(since.getTime() - 5 * 60_000) }).pipe(
        Stream.filter((w) => w.is_deleted !== true && Either.getOrNull(PipedriveSide.keyOf(compiled, w)) === op.key),
        Stream.runCollect
      )
      ids = [...found].map((w) => w.id)
    }
    if (ids.length === 0) return { _tag: "NotApplied", why: `no Pipedrive product has the key ${op.key}` } as Outcome
    if (ids.length > 1) {
      return {
        _tag: "Unresolvable",
        message: `the create of ${op.key} had an unknown outcome, and now ${ids.length} Pipedrive products carry that key (#${ids.join(", #")}): not created again; keep one of them in Pipedrive (delete the others) and run again`
      } as Outcome
    }
    const product = yield* pd.product(ids[0] as number)
    return { _tag: "Applied", product } as Outcome
  })

/** An update or archive: does the product hold every value it was to get? */
const lookupUpdate = (compiled: Compile.Compiled, op: Plan.Operation, id: number) =>
  Effect.gen(function*() {
    const pd = yield* Pipedrive
    const product = yield* pd.product(id).pipe(Effect.map((p): Wire.Product | undefined => p), Effect.catchIf(isNotFound, () => Effect.succeed(undefined)))
    if (product === undefined || product.is_deleted === true) {
      return { _tag: "Unresolvable", message: `Pipedrive product #${id} (${op.key}) is gone: not updated` } as Outcome
    }
    const c = confirm(compiled, op, product)
    return c.differing.length === 0
      ? ({ _tag: "Applied", product } as Outcome)
      : ({ _tag: "NotApplied", why: `Pipedrive holds ${c.differing.map((d) => `${d.path} ${JSON.stringify(d.held)}`).join(", ")}` } as Outcome)
  })

/** A delete: is the product deleted? */
const lookupDelete = (op: Plan.Operation, id: number) =>
  Effect.gen(function*() {
    const pd = yield* Pipedrive
    const product = yield* pd.product(id).pipe(Effect.map((p): Wire.Product | undefined => p), Effect.catchIf(isNotFound, () => Effect.succeed(undefined)))
    return product === undefined || product.is_deleted === true
      ? ({ _tag: "Applied", product: undefined } as Outcome)
      : ({ _tag: "NotApplied", why: `Pipedrive product #${id} (${op.key}) is not deleted` } as Outcome)
  })

/** Looks a write up in Pipedrive. `since`: when it was (first) sent. */
export const lookup = (compiled: Compile.Compiled, op: Plan.Operation, since: Date): Effect.Effect<Outcome, PipedriveError, Pipedrive> => {
  if (op.kind === "create") return lookupCreate(compiled, op, since)
  if (op.pipedriveId === undefined) return Effect.succeed({ _tag: "Unresolvable", message: `the ${op.kind} of ${op.key} names no Pipedrive product` })
  return op.kind === "delete" ? lookupDelete(op, op.pipedriveId) : lookupUpdate(compiled, op, op.pipedriveId)
}
