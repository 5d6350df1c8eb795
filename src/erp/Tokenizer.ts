/**
 * An incremental RFC 4180 tokenizer: text arrives in chunks, complete records come out with the
 * physical line each one starts on and its exact source text. LF, CRLF and bare CR all end a record
 * (mixed in one file too); quoted fields may hold delimiters, quotes (`""`) and line breaks; blank
 * lines between records are skipped. Pure and synchronous, so it is cheap to call per chunk.
 *
 * We tokenize ourselves rather than through csv-parse because csv-parse reports the line where a
 * record ends (we need where it starts), fixes one record delimiter for the whole file, and costs
 * an object per record for that information; csv-parse remains the benchmark baseline and the
 * oracle of a differential property test.
 */

export interface Record {
  /** 1-based physical line where the record starts. */
  readonly line: number
  readonly cells: Array<string>
  /** The record's source text, from the end of the previous record (skipped blank lines included) through its line break. */
  readonly raw: string
  /** A structural defect that did not stop tokenizing (text after a closing quote). */
  readonly problem?: string
  /** Set by the reader: a cell holds bytes that are not text (see `Encoding.damage`). */
  readonly damaged?: true
}

export interface Options {
  readonly delimiter: string
  readonly quote: string
  /** Physical lines to drop before the first record (a report title, an export date). */
  readonly skipLines?: number
}

/** A quote that opens a field and never closes: everything after it would be swallowed. */
export interface Unclosed {
  readonly _tag: "Unclosed"
  readonly line: number
}

const LF = 10
const CR = 13

export interface Tokenizer {
  /** Tokenizes `text`, appending every record it completes to `out`. */
  readonly push: (text: string, out: Array<Record>) => void
  /** Ends the input: appends the last record, if any, or reports a quote that never closed. */
  readonly end: (out: Array<Record>) => Unclosed | undefined
  /** The text dropped by `skipLines`, exactly. */
  readonly skipped: () => string
}

export const make = (options: Options): Tokenizer => {
  const delim = options.delimiter.charCodeAt(0)
  const quote = options.quote.charCodeAt(0)
  const quoteChar = options.quote
  const delimChar = options.delimiter
  let pending = ""
  let line = 1
  let toSkip = options.skipLines ?? 0
  let skippedText = ""

  /** Drops up to `toSkip` physical lines from the start of `s`, for good; returns the rest. */
  const skipLinesIn = (s: string, final: boolean): string => {
    let p = 0
    let from = 0
    while (toSkip > 0 && p < s.length) {
      const c = s.charCodeAt(p)
      if (c === LF || c === CR) {
        if (c === CR && p + 1 >= s.length && !final) break
        p += c === CR && s.charCodeAt(p + 1) === LF ? 2 : 1
        line++
        toSkip--
        from = p
      } else p++
    }
    if (toSkip > 0 && final) from = s.length
    skippedText += s.slice(0, from)
    return s.slice(from)
  }

  /** Tokenizes `s` from its start; returns where the first incomplete record begins (`s.length` when none). */
  const run = (s: string, out: Array<Record>, final: boolean): number | Unclosed => {
    const len = s.length
    let p = 0
    let rawStart = 0
    let rawLine = line
    const wait = (): number => {
      line = rawLine
      return rawStart
    }
    // Where the next quote, CR and LF are, found once and moved forward only when passed: the
    // fast path below splits a whole line at once when it holds no quote and no bare CR.
    let nextQuote = -2
    let nextCR = -2
    let nextLF = -2
    const next = (code: string, at: number, from: number) => (at >= from || at === -1 ? at : s.indexOf(code, from))
    while (p < len) {
      nextLF = next("\n", nextLF, p)
      if (nextLF > p) {
        nextQuote = next(quoteChar, nextQuote, p)
        nextCR = next("\r", nextCR, p)
        const contentEnd = s.charCodeAt(nextLF - 1) === CR ? nextLF - 1 : nextLF
        if ((nextQuote === -1 || nextQuote > nextLF) && (nextCR === -1 || nextCR >= contentEnd) && contentEnd > p) {
          const end = nextLF + 1
          out.push({ line, cells: s.slice(p, contentEnd).split(delimChar), raw: s.slice(rawStart, end) })
          line++
          p = end
          rawStart = end
          rawLine = line
          continue
        }
      }
      // Blank lines between records belong to the next record's raw text.
      let c = s.charCodeAt(p)
      if (c === LF || c === CR) {
        if (c === CR && p + 1 >= len && !final) return wait()
        p += c === CR && s.charCodeAt(p + 1) === LF ? 2 : 1
        line++
        continue
      }
      const startLine = line
      let l = line
      const cells: Array<string> = []
      let problem: string | undefined
      let q = p
      for (;;) {
        if (q < len && s.charCodeAt(q) === quote) {
          let value = ""
          let from = q + 1
          let closed = false
          for (;;) {
            const at = s.indexOf(quoteChar, from)
            if (at === -1 || (at + 1 >= len && !final)) break
            for (let i = from; i < at; i++) {
              const ch = s.charCodeAt(i)
              if (ch === LF || (ch === CR && s.charCodeAt(i + 1) !== LF)) l++
            }
            if (s.charCodeAt(at + 1) === quote) {
              value += s.slice(from, at + 1)
              from = at + 2
              continue
            }
            value += s.slice(from, at)
            q = at + 1
            closed = true
            break
          }
          if (!closed) return final ? { _tag: "Unclosed", line: startLine } : wait()
          c = s.charCodeAt(q)
          if (q < len && c !== delim && c !== LF && c !== CR) {
            // Text after the closing quote: keep it, flag the record.
            const stop = q
            while (q < len && (c = s.charCodeAt(q)) !== delim && c !== LF && c !== CR) q++
            if (q >= len && !final) return wait()
            value += s.slice(stop, q)
            problem ??= `text after a closing quote in field ${cells.length + 1}`
          }
          cells.push(value)
        } else {
          const from = q
          while (q < len && (c = s.charCodeAt(q)) !== delim && c !== LF && c !== CR) q++
          if (q >= len && !final) return wait()
          cells.push(s.slice(from, q))
        }
        if (q >= len) break
        c = s.charCodeAt(q)
        if (c === delim) {
          q++
          if (q >= len) {
            if (!final) return wait()
            cells.push("")
            break
          }
          continue
        }
        if (c === CR) {
          if (q + 1 >= len && !final) return wait()
          q += s.charCodeAt(q + 1) === LF ? 2 : 1
        } else q++
        l++
        break
      }
      line = l
      const raw = s.slice(rawStart, q)
      out.push(problem === undefined ? { line: startLine, cells, raw } : { line: startLine, cells, raw, problem })
      p = q
      rawStart = q
      rawLine = l
    }
    return final ? len : wait()
  }

  const feed = (text: string, out: Array<Record>, final: boolean): Unclosed | undefined => {
    let s = pending + text
    if (toSkip > 0) {
      s = skipLinesIn(s, final)
      if (toSkip > 0 && !final) {
        pending = s
        return undefined
      }
    }
    const r = run(s, out, final)
    if (typeof r !== "number") return r
    pending = s.slice(r)
    return undefined
  }

  return {
    push: (text, out) => {
      feed(text, out, false)
    },
    end: (out) => {
      const r = feed("", out, true)
      pending = ""
      return r
    },
    skipped: () => skippedText
  }
}
