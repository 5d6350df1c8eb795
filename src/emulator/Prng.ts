/** A small seeded pseudo-random generator (mulberry32): the same seed draws the same numbers. */

export interface Prng {
  /** The next number in [0, 1). */
  readonly next: () => number
}

export const make = (seed: number): Prng => {
  let a = seed >>> 0
  return {
    next: () => {
      a = (a + 0x6d2b79f5) >>> 0
      let t = a
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
  }
}
