/**
 * Colour for terminal reports, as a value: `ansi` wraps text in SGR codes, `plain` leaves it alone.
 * Which one a command uses (TTY, NO_COLOR, FORCE_COLOR) is decided in `cli/Output.ts`.
 */
import type { Tone } from "./Model.js"

export interface Paint {
  readonly tone: (tone: Tone, text: string) => string
  readonly bold: (text: string) => string
  readonly dim: (text: string) => string
}

const sgr = (open: number, close: number) => (text: string) => (text === "" ? text : `\u001b[${open}m${text}\u001b[${close}m`)

const colours: Record<Tone, ((text: string) => string) | undefined> = {
  add: sgr(32, 39),
  change: sgr(33, 39),
  remove: sgr(31, 39),
  held: sgr(35, 39),
  good: sgr(32, 39),
  bad: sgr(31, 39),
  plain: undefined
}

export const ansi: Paint = {
  tone: (tone, text) => colours[tone]?.(text) ?? text,
  bold: sgr(1, 22),
  dim: sgr(2, 22)
}

export const plain: Paint = { tone: (_, text) => text, bold: (text) => text, dim: (text) => text }

/** The tone of an operation kind or a journal outcome. */
export const toneOf = (word: string): Tone =>
  word === "create" || word === "done"
    ? "add"
    : word === "update"
      ? "change"
      : word === "delete" || word === "archive" || word === "unlink" || word === "failed"
        ? "remove"
        : word === "pending" || word === "sent"
          ? "held"
          : "plain"
