/**
 * Text encodings of ERP files: detection from the bytes (a byte-order mark, else UTF-8 when the
 * bytes are UTF-8 — a few invalid bytes among valid UTF-8 characters included — else Windows-1252,
 * and that fallback is reported, never silent), a streaming decoder, and the encoder the writers use
 * to answer in the same encoding.
 *
 * Damaged bytes are a problem of the rows that hold them, not of the file: the UTF-8 decoder turns
 * each byte that is not valid UTF-8 into a lone surrogate U+DC80–U+DCFF (0xBD → U+DCBD, as
 * Python's "surrogateescape" does), which no valid UTF-8 text can contain, and NUL bytes stay NUL
 * characters. `damage` finds them in a cell so that the row is rejected with the bytes shown, and
 * `encode` writes an escaped byte back as the very byte it was (the rejects file keeps them).
 */
import { Either } from "effect"
import iconv from "iconv-lite"
import { isUtf8 } from "node:buffer"

export type Name = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252" | "latin1"

/** What the configuration may say: a name, or `auto` to detect. */
export type Setting = Name | "auto"

export interface Detected {
  readonly name: Name
  /** The file starts with a byte-order mark (written back the same way). */
  readonly bom: boolean
  /** The bytes are not valid UTF-8, so they were read as Windows-1252: worth telling the user. */
  readonly fallback: boolean
}

/** What a decoder met, counted over everything it decoded. */
export interface Tally {
  /** Bytes that are not valid UTF-8 (UTF-8 decoders only). */
  invalidBytes: number
  /** Whether any valid multi-byte UTF-8 character was decoded: the file does use UTF-8. */
  multibyte: boolean
  /** NUL bytes. */
  nuls: number
}

/** Why bytes cannot be read as text; `offset` is a byte offset in the file. */
export interface Problem {
  readonly offset: number
  readonly message: string
}

const bomOf = (bytes: Uint8Array): Name | undefined =>
  bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
    ? "utf-8"
    : bytes[0] === 0xff && bytes[1] === 0xfe
      ? "utf-16le"
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? "utf-16be"
        : undefined

export const bomLength = (name: Name): number => (name === "utf-8" ? 3 : name === "utf-16le" || name === "utf-16be" ? 2 : 0)

const utf16Message = (offset: number) =>
  `byte ${offset} is a NUL byte and the file looks like UTF-16 without a byte-order mark; set the encoding to "utf-16le" or "utf-16be"`

/** Index just past the last complete UTF-8 sequence of `bytes` (a chunk may end inside a character). */
const completeUtf8 = (bytes: Uint8Array): number => {
  const n = bytes.length
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back] as number
    if ((b & 0xc0) === 0x80) continue // continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
    return need > back ? n - back : n
  }
  return n
}

/**
 * Detects the encoding from the first bytes of a file (`complete` when they are the whole file).
 * An explicit setting wins, but a byte-order mark that contradicts it is refused.
 */
export const detect = (sample: Uint8Array, setting: Setting, complete: boolean): Either.Either<Detected, Problem> => {
  const bom = bomOf(sample)
  if (setting !== "auto") {
    if (bom !== undefined && bom !== setting) {
      return Either.left({ offset: 0, message: `the file starts with a ${bom.toUpperCase()} byte-order mark but the encoding is set to "${setting}"` })
    }
    return Either.right({ name: setting, bom: bom === setting, fallback: false })
  }
  if (bom !== undefined) return Either.right({ name: bom, bom: true, fallback: false })
  const nul = sample.indexOf(0)
  if (nul !== -1) {
    // UTF-16 without a byte-order mark has a NUL in every other byte; a NUL here and there is a
    // damaged cell, rejected with its row.
    let zerosAtOdd = 0
    for (let i = 1; i < Math.min(sample.length, 512); i += 2) if (sample[i] === 0) zerosAtOdd++
    let zerosAtEven = 0
    for (let i = 0; i < Math.min(sample.length, 512); i += 2) if (sample[i] === 0) zerosAtEven++
    const quarter = Math.min(sample.length, 512) / 4
    if (zerosAtOdd > quarter || zerosAtEven > quarter) return Either.left({ offset: nul, message: utf16Message(nul) })
  }
  const cut = complete ? sample.length : completeUtf8(sample)
  const head = sample.subarray(0, cut)
  if (isUtf8(head)) return Either.right({ name: "utf-8", bom: false, fallback: false })
  // Mostly UTF-8 with a few bad bytes (a row pasted from elsewhere) is UTF-8 with damaged rows;
  // Latin-1 text practically never forms a valid multi-byte UTF-8 character.
  const t = tallyUtf8(head)
  if (t.valid > 0 && t.valid >= t.invalid) return Either.right({ name: "utf-8", bom: false, fallback: false })
  return Either.right({ name: "windows-1252", bom: false, fallback: true })
}

/** Valid multi-byte characters and invalid bytes in `bytes`. */
const tallyUtf8 = (bytes: Uint8Array): { valid: number; invalid: number } => {
  let valid = 0
  let invalid = 0
  let i = 0
  while (i < bytes.length) {
    const size = sequenceAt(bytes, i)
    if (size > 1) valid++
    else if (size === 0) invalid++
    i += Math.max(size, 1)
  }
  return { valid, invalid }
}

/** The length of the valid UTF-8 sequence at `i`, or 0 when the byte there starts none. */
const sequenceAt = (bytes: Uint8Array, i: number): number => {
  const c = bytes[i] as number
  if (c < 0x80) return 1
  const size = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0
  return size === 0 || i + size > bytes.length || !isUtf8(bytes.subarray(i, i + size)) ? 0 : size
}

const utf8Text = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")

/** Decodes bytes that are not all valid UTF-8: each invalid byte becomes its lone-surrogate escape. */
const decodeEscaped = (bytes: Uint8Array, tally: Tally): string => {
  let out = ""
  let run = 0
  let i = 0
  while (i < bytes.length) {
    const size = sequenceAt(bytes, i)
    if (size > 0) {
      if (size > 1) tally.multibyte = true
      i += size
      continue
    }
    out += utf8Text(bytes.subarray(run, i)) + String.fromCharCode(0xdc00 + (bytes[i] as number))
    tally.invalidBytes++
    run = ++i
  }
  return out + utf8Text(bytes.subarray(run))
}

/** A lone low surrogate in U+DC80–U+DCFF: an escaped byte (one of a valid pair is left alone). */
const escapedByte = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g
const hasEscapedByte = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/

const maybeDamaged = /[\u0000\uDC80-\uDCFF]/

/** Whether decoded text holds an escaped byte or a NUL (one scan; `damage` says which). */
export const isDamaged = (text: string): boolean => maybeDamaged.test(text) && (text.indexOf("\u0000") >= 0 || hasEscapedByte.test(text))

/**
 * What is damaged in a decoded cell: the bytes that were not valid UTF-8 (as `0xBD`) and the NUL
 * bytes; `undefined` when nothing is.
 */
export const damage = (text: string): { readonly bytes: ReadonlyArray<string>; readonly nuls: number } | undefined => {
  escapedByte.lastIndex = 0
  const bytes = [...text.matchAll(escapedByte)].map((m) => `0x${(m[0].charCodeAt(0) - 0xdc00).toString(16).toUpperCase()}`)
  let nuls = 0
  for (let i = text.indexOf("\u0000"); i !== -1; i = text.indexOf("\u0000", i + 1)) nuls++
  return bytes.length === 0 && nuls === 0 ? undefined : { bytes, nuls }
}

/** Why a cell cannot be read as text, with the cell shown (`undefined` when it can). */
export const damageMessage = (text: string): string | undefined => {
  const d = damage(text)
  if (d === undefined) return undefined
  const n = d.bytes.length
  const what = [...(n === 0 ? [] : [`${n === 1 ? "byte" : "bytes"} ${d.bytes.join(" ")} ${n === 1 ? "is" : "are"} not valid UTF-8`]), ...(d.nuls === 0 ? [] : [d.nuls === 1 ? "a NUL byte" : `${d.nuls} NUL bytes`])]
  return `${what.join(" and ")} in "${showDamaged(text)}"`
}

/** A damaged cell for people: escaped bytes as `\xBD`, NUL as `\0`. */
export const showDamaged = (text: string): string =>
  text.replace(escapedByte, (c) => `\\x${(c.charCodeAt(0) - 0xdc00).toString(16).toUpperCase()}`).replace(/\u0000/g, "\\0")

export interface Decoder {
  /** Decodes the next chunk (`offset` is its position in the file). */
  readonly write: (bytes: Uint8Array, offset: number) => Either.Either<string, Problem>
  readonly end: () => Either.Either<string, Problem>
  /** What it met so far: damaged bytes are escaped or kept (see the module comment), never fatal. */
  readonly tally: Readonly<Tally>
}

/** A streaming decoder for `detected`; the byte-order mark, if any, is dropped. */
export const decoder = (detected: Detected): Decoder => {
  let skip = detected.bom ? bomLength(detected.name) : 0
  const dropBom = (bytes: Uint8Array): Uint8Array => {
    if (skip === 0) return bytes
    const drop = Math.min(skip, bytes.length)
    skip -= drop
    return bytes.subarray(drop)
  }
  const tally: Tally = { invalidBytes: 0, multibyte: false, nuls: 0 }
  const countNuls = (bytes: Uint8Array) => {
    for (let i = bytes.indexOf(0); i !== -1; i = bytes.indexOf(0, i + 1)) tally.nuls++
  }
  if (detected.name === "utf-8") {
    let carry: Uint8Array = new Uint8Array(0)
    return {
      tally,
      write: (chunk) => {
        const body = dropBom(chunk)
        const bytes = carry.length === 0 ? body : Buffer.concat([carry, body])
        const cut = completeUtf8(bytes)
        const whole = bytes.subarray(0, cut)
        carry = Uint8Array.prototype.slice.call(bytes, cut) // a copy: the caller reuses its buffer
        countNuls(whole)
        if (!isUtf8(whole)) return Either.right(decodeEscaped(whole, tally))
        const text = utf8Text(whole)
        if (text.length < whole.length) tally.multibyte = true
        return Either.right(text)
      },
      end: () => {
        const rest = carry
        carry = new Uint8Array(0)
        return Either.right(rest.length === 0 ? "" : decodeEscaped(rest, tally))
      }
    }
  }
  const iconvDecoder = iconv.getDecoder(detected.name, { stripBOM: false })
  return {
    tally,
    write: (chunk) => {
      const bytes = dropBom(chunk)
      countNuls(bytes)
      return Either.right(iconvDecoder.write(Buffer.from(bytes)))
    },
    end: () => Either.right(iconvDecoder.end() ?? "")
  }
}

/**
 * The file as a whole is not UTF-8: it was read as UTF-8 and held bytes that are not, and not one
 * valid multi-byte character. `undefined` when it is UTF-8 (damaged rows aside) or not read as UTF-8.
 */
export const notUtf8 = (detected: Detected, tally: Readonly<Tally>): string | undefined =>
  detected.name === "utf-8" && tally.invalidBytes > 0 && !tally.multibyte
    ? `the file is not UTF-8: ${tally.invalidBytes} bytes are not valid UTF-8 and none of its characters is; if it is Latin-1 or Windows-1252, set the encoding to "windows-1252"`
    : undefined

/** Decodes a whole sample at once (detection works on the first bytes of a file). */
export const decodeAll = (bytes: Uint8Array, detected: Detected, complete: boolean): Either.Either<string, Problem> => {
  const d = decoder(detected)
  return Either.flatMap(d.write(bytes, 0), (text) => (complete ? Either.map(d.end(), (rest) => text + rest) : Either.right(text)))
}

/** Whether the encoding holds every character (a Unicode encoding). */
export const isUnicode = (name: Name): boolean => name === "utf-8" || name === "utf-16le" || name === "utf-16be"

const fits = (char: string, name: Name): boolean => iconv.decode(iconv.encode(char, name), name) === char

/** Every distinct character of `text` the encoding cannot represent, in order of appearance. */
export const unencodableAll = (text: string, name: Name): ReadonlyArray<string> => {
  if (isUnicode(name) || fits(text, name)) return []
  const out: Array<string> = []
  for (const char of text) if (!out.includes(char) && !fits(char, name)) out.push(char)
  return out
}

/**
 * Encodes text for writing; the byte-order mark is written separately (see `bom`). In UTF-8, an
 * escaped byte (a damaged cell read from the file) is written back as that very byte.
 */
export const encode = (text: string, name: Name): Uint8Array => {
  if (name !== "utf-8") return iconv.encode(text, name, { addBOM: false })
  if (!hasEscapedByte.test(text)) return Buffer.from(text, "utf8")
  const parts: Array<Uint8Array> = []
  let run = 0
  for (const m of text.matchAll(escapedByte)) {
    parts.push(Buffer.from(text.slice(run, m.index), "utf8"), Uint8Array.of(m[0].charCodeAt(0) - 0xdc00))
    run = m.index + 1
  }
  parts.push(Buffer.from(text.slice(run), "utf8"))
  return Buffer.concat(parts)
}

/** The byte-order mark of an encoding, as bytes. */
export const bom = (name: Name): Uint8Array =>
  name === "utf-8"
    ? Uint8Array.of(0xef, 0xbb, 0xbf)
    : name === "utf-16le"
      ? Uint8Array.of(0xff, 0xfe)
      : name === "utf-16be"
        ? Uint8Array.of(0xfe, 0xff)
        : new Uint8Array(0)

/** How the encoding is shown to a user. */
export const describe = (d: Detected): string =>
  `${d.name.toUpperCase()}${d.bom ? " with BOM" : ""}${d.fallback ? " (not valid UTF-8, read as Windows-1252)" : ""}`
