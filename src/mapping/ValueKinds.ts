/**
 * The kinds of value an ERP column can be read as, and which of them each Pipedrive target takes:
 * a price an amount, `tax` a number, `active` and `linkable` a boolean, a custom field by its type;
 * and the field type `createMissingFields` creates for a column of each kind.
 */
import type * as Field from "../domain/Field.js"
import type { AccountField, CreatableType } from "./AccountFields.js"

/** How an ERP column's values are read for a field. */
export type ValueKind = "text" | "decimal" | "integer" | "boolean" | "money" | "enum" | "set"

/** The kind a column is read as when the mapping names no type: by the target and its custom field. */
export const defaultKind = (target: Field.Parsed, custom: AccountField | undefined): ValueKind => {
  if (target.kind === "price") return "decimal"
  if (target.kind === "builtin") return target.name === "tax" ? "decimal" : target.name === "active" || target.name === "linkable" ? "boolean" : "text"
  switch (custom?.field_type) {
    case "double":
    case "int":
    case "monetary":
      return "decimal"
    case "boolean":
      return "boolean"
    case "set":
      return "set"
    default:
      return "text"
  }
}

/** Value kinds an ERP column may have for each target. */
export const accepts = (target: Field.Parsed, custom: AccountField | undefined): ReadonlyArray<ValueKind> => {
  if (target.kind === "price") return ["decimal", "integer", "money"]
  if (target.kind === "builtin") {
    if (target.name === "tax") return ["decimal", "integer"]
    if (target.name === "active" || target.name === "linkable") return ["boolean"]
    return ["text", "enum"]
  }
  switch (custom?.field_type) {
    case undefined: // to be created (createMissingFields says which kinds it cannot create)
      return ["text", "decimal", "integer", "enum", "set", "boolean"]
    case "varchar":
    case "varchar_auto":
    case "text":
    case "phone":
    case "date":
    case "address":
      return ["text", "enum", "decimal", "integer"]
    case "double":
    case "int":
      return ["decimal", "integer"]
    case "monetary":
      return ["decimal", "integer", "money"]
    case "enum":
      return ["text", "enum"]
    case "set":
      return ["set"]
    case "boolean":
      return ["boolean"]
    default:
      return []
  }
}

/** The field type `createMissingFields` creates for a column of `kind` (a `currency` makes an amount monetary). */
export const creatableFor = (kind: ValueKind, currency: string | undefined): CreatableType =>
  kind === "decimal" || kind === "integer" ? (currency === undefined ? "double" : "monetary") : kind === "enum" ? "enum" : kind === "set" ? "set" : "varchar"
