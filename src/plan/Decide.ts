/**
 * The three-way decision for one field of one product (DESIGN §6.1), pure: given the ERP value `e`,
 * the Pipedrive value `p`, the base `b` (last agreed; `undefined` before the first agreement) and a
 * pending write-back, what to write where. `undefined` for `e` or `p` means that side has no opinion
 * on the field (its column is not in the file yet): it is never "changed" and never written over.
 * Empty is not an opinion on a first run either: with no base yet, an empty value never blanks the
 * other side's. A one-way field changed only on the side it does not flow from is set back to its
 * owner's value (`erp-owned` / `pipedrive-owned`) unless its drift policy is `report`.
 */
import type { Registry } from "../domain/Currency.js"
import * as Field from "../domain/Field.js"
import type { Rule } from "../domain/Plan.js"
import type { ConflictPolicy } from "../domain/Policy.js"
import type { Direction, Side } from "../domain/Side.js"
import type { Drift } from "../mapping/Mapping.js"

export interface FieldPolicy {
  readonly path: Field.Path
  readonly direction: Direction
  readonly owner: Side | undefined
  readonly conflicts: ConflictPolicy
  /** A one-way field changed on the other side only: set it back (`restore`, the default) or only note it (`report`). */
  readonly drift?: Drift
}

export type Decision =
  | { readonly _tag: "Nothing" }
  /** The sides agree on a value the base does not hold yet: advance the base, no write. */
  | { readonly _tag: "Agree"; readonly value: Field.Value }
  | { readonly _tag: "ToPipedrive"; readonly value: Field.Value; readonly rule: Rule }
  | { readonly _tag: "ToErp"; readonly value: Field.Value; readonly rule: Rule }
  /** Already written back and waiting for the ERP to import it: nothing new to do. */
  | { readonly _tag: "Pending" }
  | { readonly _tag: "Conflict" }
  /** A side changed a field that may not flow from it, and the field's drift policy is `report`: kept as it is. */
  | { readonly _tag: "Ignored"; readonly side: Side }

const nothing: Decision = { _tag: "Nothing" }

const mayFlow = (direction: Direction, to: Side) =>
  direction === "both" || (to === "pipedrive" ? direction === "erp→pipedrive" : direction === "pipedrive→erp")

export interface Inputs {
  readonly e: Field.Value | undefined
  readonly p: Field.Value | undefined
  readonly b: Field.Value | undefined
  /** The value written back to the ERP and not yet seen in an ERP export. */
  readonly pending: Field.Value | undefined
}

/**
 * Decides one field. The pending rule (§6.7) comes first: while the ERP still shows the base, the
 * written-back value is pending, not an ERP change; once the ERP shows it, the base catches up.
 */
export const decide = (f: FieldPolicy, input: Inputs, registry: Registry): Decision => {
  const eq = (a: Field.Value, c: Field.Value) => Field.equals(f.path, a, c, registry)
  let { b, e } = input
  const { p, pending } = input
  if (pending !== undefined && e !== undefined) {
    if (eq(e, pending)) {
      // The ERP imported it: the base catches up, then decide as usual.
      const d = decideFrom(f, e, p, pending, undefined, eq)
      return d._tag === "Nothing" ? { _tag: "Agree", value: pending } : d
    }
    if (b !== undefined && eq(e, b)) e = b // not imported yet: the stale ERP value is no change
  }
  return decideFrom(f, e, p, b, pending, eq)
}

const decideFrom = (
  f: FieldPolicy,
  e: Field.Value | undefined,
  p: Field.Value | undefined,
  b: Field.Value | undefined,
  pending: Field.Value | undefined,
  eq: (a: Field.Value, c: Field.Value) => boolean
): Decision => {
  if (e === undefined && p === undefined) return nothing
  const empty = (v: Field.Value) => Field.normalize(f.path, v) === null
  if (e === undefined) {
    // Only Pipedrive has an opinion (a write-back column the file does not have yet).
    if (b !== undefined ? eq(p!, b) : empty(p!)) return nothing
    if (!mayFlow(f.direction, "erp")) return nothing
    if (pending !== undefined && eq(p!, pending)) return { _tag: "Pending" }
    return { _tag: "ToErp", value: p!, rule: b === undefined ? "first-run-owner" : "pipedrive-changed" }
  }
  if (p === undefined) {
    if (b !== undefined && eq(e, b)) return nothing
    return mayFlow(f.direction, "pipedrive") ? { _tag: "ToPipedrive", value: e, rule: b === undefined ? "first-run-owner" : "erp-changed" } : nothing
  }
  const toErp = (rule: Rule): Decision => (pending !== undefined && eq(p, pending) ? { _tag: "Pending" } : { _tag: "ToErp", value: p, rule })
  if (eq(e, p)) return b !== undefined && eq(e, b) ? nothing : { _tag: "Agree", value: e }
  if (b === undefined) {
    // First run for this field: the owner decides — unless it has no value yet, which blanks nothing.
    const owner = f.owner ?? (f.direction === "pipedrive→erp" ? "pipedrive" : "erp")
    if (empty(owner === "erp" ? e : p)) return nothing
    if (owner === "erp") return mayFlow(f.direction, "pipedrive") ? { _tag: "ToPipedrive", value: e, rule: "first-run-owner" } : nothing
    return mayFlow(f.direction, "erp") ? toErp("first-run-owner") : nothing
  }
  const eChanged = !eq(e, b)
  const pChanged = !eq(p, b)
  if (eChanged && !pChanged) {
    if (mayFlow(f.direction, "pipedrive")) return { _tag: "ToPipedrive", value: e, rule: "erp-changed" }
    return f.drift !== "report" ? toErp("pipedrive-owned") : { _tag: "Ignored", side: "erp" }
  }
  if (pChanged && !eChanged) {
    if (mayFlow(f.direction, "erp")) return toErp("pipedrive-changed")
    return f.drift !== "report" ? { _tag: "ToPipedrive", value: e, rule: "erp-owned" } : { _tag: "Ignored", side: "pipedrive" }
  }
  // Both changed, to different values.
  if (f.direction === "erp→pipedrive") return { _tag: "ToPipedrive", value: e, rule: "one-way" }
  if (f.direction === "pipedrive→erp") return toErp("one-way")
  switch (f.conflicts) {
    case "erp-wins":
      return { _tag: "ToPipedrive", value: e, rule: "conflict-erp-wins" }
    case "pipedrive-wins":
      return toErp("conflict-pipedrive-wins")
    case "manual":
      return { _tag: "Conflict" }
  }
}
