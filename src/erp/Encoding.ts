/**
 * Text encodings of ERP files: detection from the bytes (a byte-order mark, else UTF-8 when the
 * bytes are valid UTF-8, else Windows-1252 — and that fallback is reported, never silent), a
 * streaming decoder that refuses what it cannot decode faithfully (invalid UTF-8 under an explicit
 * or detected UTF-8, NUL bytes), and the encoder the writers use to answer in the same encoding.
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

const nulMessage = (offset: number, utf16Like: boolean) =>
  utf16Like
    ? `byte ${offset} is a NUL byte and the file looks like UTF-16 without a byte-order mark; set the encoding to "utf-16le" or "utf-16be"`
    : `byte ${offset} is a NUL byte: this does not look like a text file; if it is UTF-16 without a byte-order mark, set the encoding to "utf-16le" or "utf-16be"`

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

/** The first byte of `bytes` that starts an invalid UTF-8 sequence (only called once validation failed). */
const firstInvalidUtf8 = (bytes: Uint8Array): number => {
  let i = 0
  while (i < bytes.length) {
    const c = bytes[i] as number
    const size = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0
    if (size === 0 || i + size > bytes.length || !isUtf8(bytes.subarray(i, i + size))) return i
    i += size
  }
  return i
}

const invalidUtf8 = (offset: number, byte: number | undefined): Problem => ({
  offset,
  message: `byte ${offset}${byte === undefined ? "" : ` (0x${byte.toString(16).toUpperCase().padStart(2, "0")})`} is not valid UTF-8; if the file is Latin-1 or Windows-1252, set the encoding to "windows-1252"`
})

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
    let zerosAtOdd = 0
    for (let i = 1; i < Math.min(sample.length, 512); i += 2) if (sample[i] === 0) zerosAtOdd++
    let zerosAtEven = 0
    for (let i = 0; i < Math.min(sample.length, 512); i += 2) if (sample[i] === 0) zerosAtEven++
    const half = Math.min(sample.length, 512) / 4
    return Either.left({ offset: nul, message: nulMessage(nul, zerosAtOdd > half || zerosAtEven > half) })
  }
  const cut = complete ? sample.length : completeUtf8(sample)
  if (isUtf8(sample.subarray(0, cut))) return Either.right({ name: "utf-8", bom: false, fallback: false })
  return Either.right({ name: "windows-1252", bom: false, fallback: true })
}

export interface Decoder {
  /** Decodes the next chunk (`offset` is its position in the file). */
  readonly write: (bytes: Uint8Array, offset: number) => Either.Either<string, Problem>
  readonly end: () => Either.Either<string, Problem>
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
  if (detected.name === "utf-8") {
    let carry: Uint8Array = new Uint8Array(0)
    let carryAt = 0
    return {
      write: (chunk, offset) => {
        const body = dropBom(chunk)
        const start = offset + (chunk.length - body.length) - carry.length
        const bytes = carry.length === 0 ? body : Buffer.concat([carry, body])
        const cut = completeUtf8(bytes)
        const whole = bytes.subarray(0, cut)
        if (!isUtf8(whole)) {
          const at = firstInvalidUtf8(whole)
          return Either.left(invalidUtf8(start + at, whole[at]))
        }
        const nul = whole.indexOf(0)
        if (nul !== -1) return Either.left({ offset: start + nul, message: nulMessage(start + nul, false) })
        carry = Uint8Array.prototype.slice.call(bytes, cut) // a copy: the caller reuses its buffer
        carryAt = start + cut
        return Either.right(Buffer.from(whole.buffer, whole.byteOffset, whole.byteLength).toString("utf8"))
      },
      end: () => (carry.length === 0 ? Either.right("") : Either.left(invalidUtf8(carryAt, carry[0])))
    }
  }
  const iconvDecoder = iconv.getDecoder(detected.name, { stripBOM: false })
  const checkNul = (text: string, offset: number): Either.Either<string, Problem> => {
    const nul = text.indexOf("\u0000")
    return nul === -1 ? Either.right(text) : Either.left({ offset, message: nulMessage(offset, false) })
  }
  return {
    write: (chunk, offset) => checkNul(iconvDecoder.write(Buffer.from(dropBom(chunk))), offset),
    end: () => checkNul(iconvDecoder.end() ?? "", -1)
  }
}

/** Decodes a whole sample at once (detection works on the first bytes of a file). */
export const decodeAll = (bytes: Uint8Array, detected: Detected, complete: boolean): Either.Either<string, Problem> => {
  const d = decoder(detected)
  return Either.flatMap(d.write(bytes, 0), (text) => (complete ? Either.map(d.end(), (rest) => text + rest) : Either.right(text)))
}

/** Text characters the encoding cannot represent would be written as `?`: find the first one. */
export const unencodable = (text: string, name: Name): string | undefined => {
  if (name === "utf-8" || name === "utf-16le" || name === "utf-16be") return undefined
  const back = iconv.decode(iconv.encode(text, name), name)
  if (back === text) return undefined
  for (let i = 0; i < text.length; i++) if (back[i] !== text[i]) return String.fromCodePoint(text.codePointAt(i) ?? 0)
  return text
}

/** The character an encoding's writer puts in place of one it cannot represent. */
export const replacement = "?"

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

/** `text` with each character the encoding cannot represent (a whole code point) replaced by `replacement`. */
export const replaceUnencodable = (text: string, name: Name): string => {
  if (isUnicode(name) || fits(text, name)) return text
  let out = ""
  for (const char of text) out += fits(char, name) ? char : replacement
  return out
}

/** Encodes text for writing; the byte-order mark is written separately (see `bom`). */
export const encode = (text: string, name: Name): Uint8Array =>
  name === "utf-8" ? Buffer.from(text, "utf8") : iconv.encode(text, name, { addBOM: false })

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
