/** The two sides of a sync, and the directions a field may flow between them. */
import { Schema } from "effect"

export const Side = Schema.Literal("erp", "pipedrive")
export type Side = typeof Side.Type

export const Direction = Schema.Literal("erp→pipedrive", "pipedrive→erp", "both")
export type Direction = typeof Direction.Type

export const other = (side: Side): Side => (side === "erp" ? "pipedrive" : "erp")
