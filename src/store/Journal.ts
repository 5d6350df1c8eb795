/**
 * The write journal: every write the executor makes to Pipedrive is recorded here before it is
 * sent (`pending`), marked `sent` just before the request goes out, then `done` (with the
 * Pipedrive id) or `failed` (with the reason). An entry left `sent` by a killed run has an unknown
 * outcome: the next run looks the product up before sending it again (DESIGN §6.4).
 */

export type State = "pending" | "sent" | "done" | "failed" | "skipped"
export type Kind = "create" | "update" | "delete" | "archive" | "unlink"

export const states: ReadonlyArray<State> = ["pending", "sent", "done", "failed", "skipped"]
export const kinds: ReadonlyArray<Kind> = ["create", "update", "delete", "archive", "unlink"]

/** An operation about to be journaled. */
export interface NewEntry {
  /** The plan operation's stable id: the same operation gets the same id in a resumed run. */
  readonly opId: string
  readonly key: string
  readonly kind: Kind
  /** What will be sent (JSON). */
  readonly payload: unknown
}

export interface Entry {
  readonly id: number
  readonly runId: number
  readonly opId: string
  readonly key: string
  readonly kind: Kind
  readonly payload: unknown
  readonly state: State
  readonly pipedriveId: number | null
  readonly error: string | null
  /** How many times it was marked `sent`. */
  readonly attempts: number
  readonly updatedAt: string
}

/**
 * For each state, the states an entry may come from. `sent → pending`: a lookup after an unknown
 * outcome showed the write was not applied. `failed → pending`: tried again by a later run.
 * `sent → done` also covers a resume whose lookup found the write applied.
 */
export const allowedFrom: Readonly<Record<State, ReadonlyArray<State>>> = {
  pending: ["sent", "failed"],
  sent: ["pending"],
  done: ["sent"],
  failed: ["pending", "sent"],
  skipped: ["pending", "failed"]
}

/** Entries a run still has to finish: not sent yet, or sent with no known outcome. */
export const unfinished: ReadonlyArray<State> = ["pending", "sent"]
