/** "Did you mean …?": the closest names to a misspelt one, by edit distance, case-insensitively. */

const distance = (a: string, b: string): number => {
  const s = a.toLowerCase()
  const t = b.toLowerCase()
  let prev = Array.from({ length: t.length + 1 }, (_, i) => i)
  for (let i = 1; i <= s.length; i++) {
    const cur = [i]
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost)
    }
    prev = cur
  }
  return prev[t.length] ?? 0
}

/** Up to `max` candidates close enough to `name` to be a plausible typo, closest first. */
export const closest = (name: string, candidates: Iterable<string>, max = 3, maxDistance?: number): Array<string> => {
  const limit = maxDistance ?? Math.max(2, Math.floor(name.length / 3))
  return [...candidates]
    .map((c) => {
      const lower = c.toLowerCase()
      const contains = lower.includes(name.toLowerCase()) || name.toLowerCase().includes(lower)
      return { c, d: contains ? Math.min(1, distance(name, c)) : distance(name, c) }
    })
    .filter(({ d }) => d <= limit)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map(({ c }) => c)
}

/** `did you mean "a" or "b"?`, or an empty string when nothing is close. */
export const didYouMean = (name: string, candidates: Iterable<string>, maxDistance?: number): string => {
  const found = closest(name, candidates, 3, maxDistance)
  return found.length === 0 ? "" : `did you mean ${found.map((f) => JSON.stringify(f)).join(" or ")}?`
}
