/** The numeric id Pipedrive gives a product (`id` in API v2). */
import { Schema } from "effect"

export const PipedriveId = Schema.Int.pipe(Schema.positive(), Schema.brand("PipedriveId"))
export type PipedriveId = typeof PipedriveId.Type

export const make = (value: number): PipedriveId => PipedriveId.make(value)
