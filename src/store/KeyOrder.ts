/**
 * The order of product keys in the state store. SQLite sorts TEXT by its UTF-8 bytes, which is code
 * point order; JavaScript's `<` compares UTF-16 code units, which differs for characters above
 * U+FFFF against U+E000–U+FFFF. A merge-join over the store's ordered streams must compare keys
 * with `compare`, never with `<` or `localeCompare`.
 */

/** Maps a UTF-16 code unit so that unit order becomes code point order. */
const fix = (u: number): number => (u >= 0xe000 ? u - 0x800 : u >= 0xd800 ? u + 0x2000 : u)

/** Code point order, the order of SQLite's `ORDER BY key`: negative, zero or positive. */
export const compare = (a: string, b: string): number => {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return x < 0xd800 && y < 0xd800 ? x - y : fix(x) - fix(y)
  }
  return a.length - b.length
}
