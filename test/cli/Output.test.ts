import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { vi } from "vitest"
import * as Output from "../../src/cli/Output.js"
import { runCli } from "./run.js"

const fakeStream = (isTTY: boolean) => {
  const written: Array<string> = []
  return { isTTY, write: (s: string) => written.push(s), written }
}

describe("Output", () => {
  it("colour: NO_COLOR wins, FORCE_COLOR forces, else a TTY that is not dumb", () => {
    const tty = { isTTY: true }
    assert.isTrue(Output.useColor(tty, {}))
    assert.isFalse(Output.useColor(tty, { NO_COLOR: "1" }))
    assert.isFalse(Output.useColor(tty, { TERM: "dumb" }))
    assert.isFalse(Output.useColor({ isTTY: false }, {}))
    assert.isTrue(Output.useColor({ isTTY: false }, { FORCE_COLOR: "1" }))
    assert.isFalse(Output.useColor(tty, { FORCE_COLOR: "0" }))
    assert.isFalse(Output.useColor(tty, { NO_COLOR: "1", FORCE_COLOR: "1" }))
  })

  it("a progress line has the count, the rate and the ETA", () => {
    assert.strictEqual(Output.progressLine("pushing", 1200, 5000, 3000), "pushing  1,200 / 5,000  400/s  ETA 10 s")
    assert.strictEqual(Output.progressLine("pulling", 300, undefined, 1000), "pulling  300  300/s")
    assert.strictEqual(Output.progressLine("pushing", 5000, 5000, 1000), "pushing  5,000 / 5,000  5,000/s")
  })

  it("progress draws on a TTY, throttled, and writes nothing elsewhere", () => {
    let now = 0
    const tty = fakeStream(true)
    const p = Output.progress("pushing", 10, { stream: tty, now: () => now, everyMs: 100 })
    p.advance(1)
    now = 50
    p.advance(1) // within 100 ms: not drawn
    now = 1000
    p.advance(3)
    p.done()
    assert.deepStrictEqual(tty.written.map((w) => w.replace("\r\u001b[2K", "")), ["pushing  1 / 10  0/s", "pushing  5 / 10  5/s  ETA 1 s", "pushing  5 / 10  5/s  ETA 1 s", "\n"])
    const pipe = fakeStream(false)
    const q = Output.progress("pushing", 10, { stream: pipe })
    q.advance(5)
    q.done()
    assert.deepStrictEqual(pipe.written, [])
  })

  it.effect("track counts a stream's elements and passes them through", () =>
    Effect.gen(function*() {
      const tty = fakeStream(true)
      const out = yield* Stream.range(1, 250).pipe(Output.track("pulling", 250, { stream: tty, everyMs: 0 }), Stream.runCollect)
      assert.strictEqual(Chunk.size(out), 250)
      assert.match(tty.written.at(-2) ?? "", /pulling {2}250 \/ 250/)
    }))

  it.effect("--log-format json writes JSON lines on stderr, nothing on stdout", () =>
    Effect.gen(function*() {
      const err = vi.spyOn(console, "error").mockImplementation(() => {})
      const log = vi.spyOn(console, "log").mockImplementation(() => {})
      try {
        yield* Effect.logWarning("rate limited, waiting 2 s").pipe(Effect.provide(Output.loggerLayer("json")))
        assert.strictEqual(log.mock.calls.length, 0)
        const line = JSON.parse(String(err.mock.calls[0]?.[0])) as { message: string; logLevel: string }
        assert.strictEqual(line.message, "rate limited, waiting 2 s")
        assert.strictEqual(line.logLevel, "WARN")
      } finally {
        err.mockRestore()
        log.mockRestore()
      }
    }))

  it("table aligns columns", () => {
    assert.strictEqual(Output.table(["a", "bb"], [["ccc", "d"], ["e", "f"]]), "a    bb\nccc  d\ne    f")
  })
})

describe("--help through the built CLI", () => {
  const esc = "\u001b["
  it("is plain text off a terminal and with NO_COLOR; coloured only when FORCE_COLOR asks", () => {
    const piped = runCli(["runs", "--help"], { env: { NO_COLOR: undefined, FORCE_COLOR: undefined } })
    assert.strictEqual(piped.code, 0)
    assert.include(piped.stdout, "USAGE")
    assert.notInclude(piped.stdout, esc)
    const noColor = runCli(["runs", "--help"], { env: { NO_COLOR: "1", FORCE_COLOR: "1" } })
    assert.notInclude(noColor.stdout, esc)
    const forced = runCli(["runs", "--help"], { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } })
    assert.include(forced.stdout, esc)
  })
})
