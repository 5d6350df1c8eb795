/**
 * Pipedrive's rate limits: a per-token burst limit over a rolling window (2 s upstream), the
 * search endpoint's own burst limit, and a daily token budget that resets at UTC midnight.
 * Headers follow pipedrive-api.md §5.4: `x-ratelimit-reset` is seconds, not an epoch.
 */

export type Plan = "lite" | "growth" | "premium" | "ultimate"

/** API-token burst limits per 2 s by plan (pipedrive-api.md §5.2). */
export const burstByPlan: Record<Plan, number> = { lite: 20, growth: 40, premium: 100, ultimate: 120 }

/** Daily budget multiplier by plan; the budget is 30,000 × multiplier × seats (§5.1). */
export const budgetMultiplier: Record<Plan, number> = { lite: 1, growth: 2, premium: 5, ultimate: 7 }

export const dailyBudgetFor = (plan: Plan, seats: number): number => 30_000 * budgetMultiplier[plan] * Math.max(1, seats)

/** A rolling window: at most `limit` admitted requests in any `windowMs`. */
export class Window {
  private times: Array<number> = []
  private head = 0

  constructor(readonly limit: number, readonly windowMs: number) {}

  private prune(now: number): void {
    const cut = now - this.windowMs
    while (this.head < this.times.length && (this.times[this.head] as number) <= cut) this.head++
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head)
      this.head = 0
    }
  }

  /** Admits a request at `now` if the window has room. */
  tryTake(now: number): boolean {
    this.prune(now)
    if (this.times.length - this.head >= this.limit) return false
    this.times.push(now)
    return true
  }

  remaining(now: number): number {
    this.prune(now)
    return Math.max(0, this.limit - (this.times.length - this.head))
  }

  /** Whole seconds (at least 1) until a slot frees up, or the window length when it is empty. */
  resetSeconds(now: number): number {
    this.prune(now)
    const oldest = this.times[this.head]
    const ms = oldest === undefined ? this.windowMs : oldest + this.windowMs - now
    return Math.max(1, Math.ceil(ms / 1000))
  }

  clear(): void {
    this.times = []
    this.head = 0
  }
}

const dayMs = 86_400_000

/** The daily token budget; spending resets when the UTC day changes. */
export class DailyBudget {
  private day = -1
  private spent = 0

  constructor(readonly budget: number) {}

  private roll(now: number): void {
    const day = Math.floor(now / dayMs)
    if (day !== this.day) {
      this.day = day
      this.spent = 0
    }
  }

  /** Charges `cost` tokens if they fit in what is left today. */
  tryCharge(now: number, cost: number): boolean {
    this.roll(now)
    if (this.spent + cost > this.budget) return false
    this.spent += cost
    return true
  }

  left(now: number): number {
    this.roll(now)
    return Math.max(0, this.budget - this.spent)
  }

  clear(): void {
    this.day = -1
    this.spent = 0
  }
}

/** Whole seconds from `now` to the next UTC midnight (at least 1). */
export const secondsToUtcMidnight = (now: number): number => Math.max(1, Math.ceil(((Math.floor(now / dayMs) + 1) * dayMs - now) / 1000))
