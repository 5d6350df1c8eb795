import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, FastCheck as fc } from "effect"
import { CatalogProduct } from "../../src/domain/CatalogProduct.js"
import * as Sku from "../../src/domain/Sku.js"
import * as ProductJson from "../../src/domain/ProductJson.js"
import type * as Store from "../../src/store/Store.js"
import { all, freshStore } from "./Support.js"

const k = Sku.make
const product = (key: string, name: string) => new CatalogProduct({ key: k(key), name })
const collect = (store: Store.Service) =>
  Effect.gen(function*() {
    const out: Array<Store.KeyedText> = []
    yield* store.forEachKeyText((r) => void out.push(r))
    return out
  })

/** `byKey` as `byKeyText` should read it: the linked product left out of the others, which carry their owner. */
const expected = (rows: ReadonlyArray<Store.Keyed>, links: ReadonlyMap<number, string>) =>
  rows.map((r) => ({
    key: r.key as string,
    erp: r.erp === undefined ? undefined : ProductJson.encode(r.erp.product),
    link: r.link,
    linked: r.linked === undefined ? undefined : { id: r.linked.id, code: r.linked.code, isDeleted: r.linked.isDeleted, product: r.linked.product },
    others: r.byCode.filter((p) => links.get(p.id) !== r.key).map((p) => ({ id: p.id, owner: links.get(p.id) ?? null, isDeleted: p.isDeleted, product: p.product })),
    base: r.base
  }))
const actual = (rows: ReadonlyArray<Store.KeyedText>) =>
  rows.map((r) => ({
    key: r.key as string,
    erp: r.erp,
    link: r.link,
    linked: r.linked === undefined ? undefined : { id: r.linked.id, code: r.linked.code, isDeleted: r.linked.isDeleted, product: JSON.parse(r.linked.text) },
    others: r.others.map((o) => ({ id: o.id, owner: o.owner as string | null, isDeleted: o.isDeleted, product: JSON.parse(o.text) })),
    base: JSON.parse(r.base)
  }))

describe("Store.byKeyText / forEachKeyText", () => {
  it.scoped("read the same keys, rows and base as byKey, in the same order, for any state", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      const keyArb = fc.constantFrom("A", "B", "C", "D", "E", "é", "\ud83d\ude00", "Z-1")
      const state = fc.record({
        erp: fc.uniqueArray(keyArb),
        pd: fc.array(fc.record({ code: fc.option(keyArb, { nil: null }), deleted: fc.boolean() }), { maxLength: 8 }),
        links: fc.array(fc.tuple(keyArb, fc.nat({ max: 9 })), { maxLength: 6 }),
        base: fc.array(fc.record({ key: keyArb, field: fc.constantFrom("name", "custom.Größe \"x\"", "prices.EUR.price"), value: fc.oneof(fc.string(), fc.constant(null), fc.record({ _tag: fc.constant("Decimal"), value: fc.constantFrom("1", "19.9") })) }), { maxLength: 8 })
      })
      const states = fc.sample(state, { numRuns: 60, seed: 7 })
      for (const s of states) {
        yield* store.replaceErpSnapshot(s.erp.map((key, i) => ({ key: k(key), product: product(key, `n${i}`), line: i + 2 })))
        yield* store.replacePipedriveSnapshot(s.pd.map((p, i) => ({ id: i + 1, code: p.code, updateTime: null, isDeleted: p.deleted, product: { id: i + 1, name: `p${i}`, code: p.code, is_deleted: p.deleted } })))
        for (const key of ["A", "B", "C", "D", "E", "é", "\ud83d\ude00", "Z-1"]) {
          yield* store.unlink(k(key))
          yield* store.deleteBase([k(key)])
        }
        const links = new Map<number, string>()
        const linked = new Set<string>()
        for (const [key, id] of s.links) {
          if (links.has(id + 1) || linked.has(key)) continue
          links.set(id + 1, key)
          linked.add(key)
        }
        yield* store.setLinks([...links].map(([id, key]) => ({ key: k(key), pipedriveId: id as never })))
        yield* store.setBase(s.base.map((b) => ({ key: k(b.key), field: b.field, value: b.value })))
        const want = expected(yield* all(store.byKey()), links)
        assert.deepStrictEqual(actual(yield* all(store.byKeyText())), want)
        assert.deepStrictEqual(actual(yield* collect(store)), want)
      }
    }))

  it.scoped("forEachKeyText stops at what the callback throws, and the store stays usable", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      yield* store.replaceErpSnapshot([{ key: k("A"), product: product("A", "a"), line: 2 }, { key: k("B"), product: product("B", "b"), line: 3 }])
      const seen: Array<string> = []
      const exit = yield* Effect.exit(store.forEachKeyText((r) => {
        seen.push(r.key)
        throw new Error("boom")
      }))
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(seen, ["A"])
      yield* store.replaceErpSnapshot([{ key: k("C"), product: product("C", "c"), line: 2 }])
      assert.deepStrictEqual((yield* collect(store)).map((r) => r.key), ["C"])
    }))

  it.scoped("setLinks writes every link in one go and refuses an id linked to another key, writing none", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      assert.strictEqual(yield* store.setLinks([{ key: k("A"), pipedriveId: 1 as never }, { key: k("B"), pipedriveId: 2 as never }]), 2)
      const exit = yield* Effect.exit(store.setLinks([{ key: k("C"), pipedriveId: 3 as never }, { key: k("D"), pipedriveId: 1 as never }]))
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual((yield* all(store.links())).map((l) => [l.key, l.pipedriveId]), [["A", 1], ["B", 2]])
    }))
})
