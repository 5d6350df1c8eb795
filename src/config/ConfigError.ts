/**
 * The one error of loading what a sync runs on: the configuration file, or the mapping module it
 * names (loaded, shape-checked, or compiled against the ERP file and the account). `problems` lists
 * every reason at once, each with where it is.
 */
import { Data } from "effect"
import * as Problem from "../domain/Problem.js"

export class ConfigError extends Data.TaggedError("ConfigError")<{
  /** The file the problems are in. */
  readonly source: string
  /** What that file is: the configuration itself, or its mapping. */
  readonly subject: "configuration" | "mapping"
  readonly problems: ReadonlyArray<Problem.Problem>
}> {
  override get message(): string {
    return [`${this.source}: the ${this.subject} has ${this.problems.length === 1 ? "a problem" : `${this.problems.length} problems`}:`, ...this.problems.map((p) => `  - ${Problem.render(p)}`)].join("\n")
  }
}
