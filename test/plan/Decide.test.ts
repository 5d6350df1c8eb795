import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import * as Currency from "../../src/domain/Currency.js"
import type * as Field from "../../src/domain/Field.js"
import type { Direction } from "../../src/domain/Side.js"
import * as Decide from "../../src/plan/Decide.js"

const f = (direction: Direction, conflicts: "erp-wins" | "pipedrive-wins" | "manual" = "manual", owner?: "erp" | "pipedrive", drift: "restore" | "report" = "restore"): Decide.FieldPolicy => ({ path: "description", direction, owner, conflicts, drift })
const d = (policy: Decide.FieldPolicy, e: Field.Value | undefined, p: Field.Value | undefined, b: Field.Value | undefined, pending?: Field.Value) =>
  Decide.decide(policy, { e, p, b, pending }, Currency.iso)

describe("Decide: DESIGN §6.1, row by row", () => {
  const both = f("both")
  it("same | same → nothing", () => assert.deepStrictEqual(d(both, "a", "a", "a"), { _tag: "Nothing" }))
  it("changed | same → write e to Pipedrive", () => assert.deepStrictEqual(d(both, "e", "a", "a"), { _tag: "ToPipedrive", value: "e", rule: "erp-changed" }))
  it("same | changed → write p to the ERP", () => assert.deepStrictEqual(d(both, "a", "p", "a"), { _tag: "ToErp", value: "p", rule: "pipedrive-changed" }))
  it("changed | changed, e = p → advance the base", () => assert.deepStrictEqual(d(both, "x", "x", "a"), { _tag: "Agree", value: "x" }))
  it("changed | changed, e ≠ p → the field's policy", () => {
    assert.deepStrictEqual(d(f("both", "manual"), "e", "p", "a"), { _tag: "Conflict" })
    assert.deepStrictEqual(d(f("both", "erp-wins"), "e", "p", "a"), { _tag: "ToPipedrive", value: "e", rule: "conflict-erp-wins" })
    assert.deepStrictEqual(d(f("both", "pipedrive-wins"), "e", "p", "a"), { _tag: "ToErp", value: "p", rule: "conflict-pipedrive-wins" })
  })
  it("no base yet: the owner decides, or the sides agree", () => {
    assert.deepStrictEqual(d(f("both", "manual", "pipedrive"), "e", "p", undefined), { _tag: "ToErp", value: "p", rule: "first-run-owner" })
    assert.deepStrictEqual(d(f("both", "manual", "erp"), "e", "p", undefined), { _tag: "ToPipedrive", value: "e", rule: "first-run-owner" })
    assert.deepStrictEqual(d(f("erp→pipedrive"), "e", "p", undefined), { _tag: "ToPipedrive", value: "e", rule: "first-run-owner" })
    assert.deepStrictEqual(d(f("both"), "same", "same", undefined), { _tag: "Agree", value: "same" })
  })
  it("a one-way field changed on the other side only is set back to its owner's value", () => {
    assert.deepStrictEqual(d(f("erp→pipedrive"), "a", "p", "a"), { _tag: "ToPipedrive", value: "a", rule: "erp-owned" })
    assert.deepStrictEqual(d(f("erp→pipedrive"), "a", null, "a"), { _tag: "ToPipedrive", value: "a", rule: "erp-owned" })
    assert.deepStrictEqual(d(f("pipedrive→erp"), "e", "a", "a"), { _tag: "ToErp", value: "a", rule: "pipedrive-owned" })
  })
  it("drift: report keeps a one-way field changed on the other side, noted", () => {
    assert.deepStrictEqual(d(f("erp→pipedrive", "manual", undefined, "report"), "a", "p", "a"), { _tag: "Ignored", side: "pipedrive" })
    assert.deepStrictEqual(d(f("pipedrive→erp", "manual", undefined, "report"), "e", "a", "a"), { _tag: "Ignored", side: "erp" })
  })
  it("empty is not an opinion on a first run: a side with no value yet blanks nothing", () => {
    assert.deepStrictEqual(d(f("pipedrive→erp"), "5", null, undefined), { _tag: "Nothing" })
    assert.deepStrictEqual(d(f("both", "manual", "pipedrive"), "5", null, undefined), { _tag: "Nothing" })
    assert.deepStrictEqual(d(f("erp→pipedrive"), null, "0", undefined), { _tag: "Nothing" })
    assert.deepStrictEqual(d(f("both", "manual", "erp"), "", "p", undefined), { _tag: "Nothing" })
    assert.deepStrictEqual(d(f("both"), undefined, null, undefined), { _tag: "Nothing" })
    // The owner's value still fills the empty side.
    assert.deepStrictEqual(d(f("both", "manual", "pipedrive"), null, "p", undefined), { _tag: "ToErp", value: "p", rule: "first-run-owner" })
  })
  it("a pending write-back is not an ERP change, and its import advances the base", () => {
    // Written back "p"; the ERP still shows the old "a": nothing new, never revert Pipedrive.
    assert.deepStrictEqual(d(both, "a", "p", "a", "p"), { _tag: "Pending" })
    // The ERP imported it.
    assert.deepStrictEqual(d(both, "p", "p", "a", "p"), { _tag: "Agree", value: "p" })
    // Pipedrive moved on again while pending: write the newer value.
    assert.deepStrictEqual(d(both, "a", "q", "a", "p"), { _tag: "ToErp", value: "q", rule: "pipedrive-changed" })
  })
  it("a side with no opinion is never written over", () => {
    assert.deepStrictEqual(d(both, undefined, "p", "p"), { _tag: "Nothing" })
    assert.deepStrictEqual(d(f("erp→pipedrive"), undefined, "p", undefined), { _tag: "Nothing" })
    assert.deepStrictEqual(d(both, undefined, "p", undefined), { _tag: "ToErp", value: "p", rule: "first-run-owner" })
  })
})

// Property tests over random values, bases, pending values and policies.
const value = fc.constantFrom<Field.Value>("a", "b", "c", null)
const maybe = fc.option(value, { nil: undefined })
const policy = fc.record({
  path: fc.constant("description"),
  direction: fc.constantFrom<Direction>("erp→pipedrive", "pipedrive→erp", "both"),
  owner: fc.option(fc.constantFrom<"erp" | "pipedrive">("erp", "pipedrive"), { nil: undefined }),
  conflicts: fc.constantFrom<"erp-wins" | "pipedrive-wins" | "manual">("erp-wins", "pipedrive-wins", "manual"),
  drift: fc.constantFrom<"restore" | "report">("restore", "report")
})
/** The side a one-way field flows from owns it: a change on the other side is drift, set back under `restore`. */
const restores = (pol: Decide.FieldPolicy, changed: "erp" | "pipedrive") =>
  pol.drift !== "report" && pol.direction === (changed === "erp" ? "pipedrive→erp" : "erp→pipedrive")
const eq = (a: Field.Value | undefined, b: Field.Value | undefined) => (a === "" ? null : a) === (b === "" ? null : b)

/** Applies a decision the way the executor does: Pipedrive and base move at once; the ERP only by pending. */
const apply = (dec: Decide.Decision, s: { e: Field.Value | undefined; p: Field.Value | undefined; b: Field.Value | undefined; pending: Field.Value | undefined }) => {
  switch (dec._tag) {
    case "ToPipedrive":
      return { ...s, p: dec.value, b: dec.value, pending: undefined }
    case "ToErp":
      return { ...s, pending: dec.value }
    case "Agree":
      return { ...s, b: dec.value, pending: undefined }
    default:
      return s
  }
}

describe("Decide: properties", () => {
  it("never writes a field against its direction", () => {
    fc.assert(fc.property(policy, maybe, maybe, maybe, maybe, (pol, e, p, b, pending) => {
      const r = Decide.decide(pol, { e, p, b, pending }, Currency.iso)
      if (r._tag === "ToPipedrive") assert.notStrictEqual(pol.direction, "pipedrive→erp")
      if (r._tag === "ToErp") assert.notStrictEqual(pol.direction, "erp→pipedrive")
    }), { numRuns: 2000 })
  })

  it("a field changed on one side only is never reverted, unless it is drift on a one-way field (set back)", () => {
    fc.assert(fc.property(policy, value, value, value, (pol, b, e, p) => {
      const r = Decide.decide(pol, { e, p, b, pending: undefined }, Currency.iso)
      if (!eq(e, b) && eq(p, b)) assert.strictEqual(r._tag === "ToErp", restores(pol, "erp")) // the ERP's change is overwritten only as drift
      if (eq(e, b) && !eq(p, b)) assert.strictEqual(r._tag === "ToPipedrive", restores(pol, "pipedrive")) // Pipedrive's change likewise
    }), { numRuns: 2000 })
  })

  it("with no base, an empty value never blanks the other side", () => {
    fc.assert(fc.property(policy, value, value, (pol, e, p) => {
      const r = Decide.decide(pol, { e, p, b: undefined, pending: undefined }, Currency.iso)
      if (r._tag === "ToPipedrive" || r._tag === "ToErp") assert.isFalse(eq(r.value, null))
    }), { numRuns: 2000 })
  })

  it("a pending write-back never reverts Pipedrive", () => {
    fc.assert(fc.property(policy, value, value, (pol, b, p) => {
      fc.pre(!eq(p, b) && pol.direction !== "erp→pipedrive") // nothing is written back on an erp→pipedrive field
      // Pipedrive changed to p, written back (pending); the ERP still exports the base.
      const r = Decide.decide(pol, { e: b, p, b, pending: p }, Currency.iso)
      assert.notStrictEqual(r._tag, "ToPipedrive")
      assert.notStrictEqual(r._tag, "Conflict")
    }), { numRuns: 2000 })
  })

  it("applying a decision and deciding again gives nothing new to write", () => {
    fc.assert(fc.property(policy, maybe, maybe, maybe, (pol, e, p, b) => {
      const first = Decide.decide(pol, { e, p, b, pending: undefined }, Currency.iso)
      const after = apply(first, { e, p, b, pending: undefined })
      const again = Decide.decide(pol, after, Currency.iso)
      assert.isTrue(["Nothing", "Pending", "Ignored", "Conflict"].includes(again._tag), `${first._tag} then ${again._tag}`)
      if (first._tag === "Conflict") assert.strictEqual(again._tag, "Conflict") // held until resolved
    }), { numRuns: 3000 })
  })
})
