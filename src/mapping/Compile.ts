/**
 * Compiles a mapping against what it will run on — the ERP file's header, the account's product
 * fields and currencies, the fields pinned in the state, the sync policies — into the form the
 * converters and the planner use. Every problem is found up front and reported at once, each with
 * where it is and how to fix it; custom fields are resolved by label and checked against their pins.
 */
import { Either } from "effect"
import type { ConflictPolicy, SyncMode } from "../config/SyncConfig.js"
import type * as Currency from "../domain/Currency.js"
import * as Field from "../domain/Field.js"
import * as Problem from "../domain/Problem.js"
import type { Direction, Side } from "../domain/Side.js"
import * as Suggest from "../domain/Suggest.js"
import { type AccountField, byLabel, type CreatableType, mappableTypes, type Pin } from "./AccountFields.js"
import type { Drift, FieldMapping, MappingInput, ValueType } from "./Mapping.js"

/** How one ERP column is read and written for a field. */
export interface ErpRule {
  /** The column the field is read from and written back to (`undefined` for a computed field). */
  readonly column: string | undefined
  /** Every column the field reads (the column, or a computed field's inputs). */
  readonly inputs: ReadonlyArray<string>
  readonly type: "text" | "decimal" | "integer" | "boolean"
  readonly decimal: "point" | "comma" | "auto" | undefined
  readonly booleans: { readonly true: ReadonlyArray<string>; readonly false: ReadonlyArray<string> } | undefined
  /** ERP spelling → Pipedrive option label, for enum and set fields. */
  readonly values: Readonly<Record<string, string>> | undefined
  /** Set fields: the separator within a cell. */
  readonly separator: string | undefined
  readonly default: string | undefined
  readonly trim: boolean
  readonly case: "upper" | "lower" | undefined
  readonly compute: FieldMapping["compute"]
  /** Monetary custom fields: the currency of the ERP amounts. */
  readonly currency: string | undefined
}

export interface CompiledField {
  readonly path: Field.Path
  readonly target: Field.Parsed
  readonly direction: Direction
  /** For `both`: who decides on a first run and wins conflicts under an owner policy. */
  readonly owner: Side | undefined
  readonly conflicts: ConflictPolicy
  /** For a one-way field: whether a value changed on the other side is set back or only reported. */
  readonly drift: Drift
  readonly erp: ErpRule | undefined
  /** The resolved custom field; `undefined` for built-ins and for fields still to be created. */
  readonly custom: AccountField | undefined
}

export interface FieldToCreate {
  readonly label: string
  readonly type: CreatableType
  readonly options: ReadonlyArray<string>
}

export interface Compiled {
  readonly key: {
    readonly erpColumn: string
    readonly pipedrive: { readonly kind: "code" } | { readonly kind: "custom"; readonly label: string; readonly field: AccountField | undefined }
  }
  readonly fields: ReadonlyArray<CompiledField>
  readonly byPath: ReadonlyMap<Field.Path, CompiledField>
  readonly currencies: Currency.Registry
  /** ERP columns the mapping reads (key first), with how to parse them. */
  readonly columns: ReadonlyArray<{ readonly name: string; readonly required: boolean }>
  /** Custom fields to create before anything is written (`createMissingFields`). */
  readonly toCreate: ReadonlyArray<FieldToCreate>
  /** The pins for the state: existing ones and those made by this compile. */
  readonly pins: ReadonlyArray<Pin>
  readonly policies: { readonly toPipedrive: SyncMode; readonly toErp: SyncMode }
}

export interface CompileContext {
  /** The ERP header (column names), or `undefined` when not known yet. */
  readonly header: ReadonlyArray<string> | undefined
  /** Every product field of the account (all pages). */
  readonly fields: ReadonlyArray<AccountField>
  readonly currencies: Currency.Registry
  readonly pins: ReadonlyArray<Pin>
  readonly mode: { readonly toPipedrive: SyncMode; readonly toErp: SyncMode }
  readonly conflicts: ConflictPolicy
  /** The mapping file, for messages. */
  readonly source: string
}

type ValueKind = "text" | "decimal" | "integer" | "boolean" | "enum" | "set"

const kindOf = (t: ValueType): ValueKind => (typeof t === "string" ? t : "enum" in t ? "enum" : "set")

const defaultKind = (target: Field.Parsed, custom: AccountField | undefined): ValueKind => {
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
const accepts = (target: Field.Parsed, custom: AccountField | undefined): ReadonlyArray<ValueKind> => {
  if (target.kind === "price") return ["decimal", "integer"]
  if (target.kind === "builtin") {
    if (target.name === "tax") return ["decimal", "integer"]
    if (target.name === "active" || target.name === "linkable") return ["boolean"]
    return ["text", "enum"]
  }
  switch (custom?.field_type) {
    case undefined:
      return ["text", "decimal", "integer", "enum", "set"]
    case "varchar":
    case "varchar_auto":
    case "text":
    case "phone":
    case "date":
    case "address":
      return ["text", "enum", "decimal", "integer"]
    case "double":
    case "int":
    case "monetary":
      return ["decimal", "integer"]
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

const creatableFor = (kind: ValueKind): CreatableType =>
  kind === "decimal" || kind === "integer" ? "double" : kind === "enum" ? "enum" : kind === "set" ? "set" : "varchar"

const columnsOf = (m: FieldMapping): ReadonlyArray<string> => (m.erp === undefined ? [] : typeof m.erp === "string" ? [m.erp] : m.erp)

const flowsTo = (direction: Direction, side: Side) => direction === "both" || (side === "pipedrive" ? direction === "erp→pipedrive" : direction === "pipedrive→erp")

/** Compiles `input`; `Left` holds every problem found. */
export const compile = (input: MappingInput, ctx: CompileContext): Either.Either<Compiled, ReadonlyArray<Problem.Problem>> => {
  const problems: Array<Problem.Problem> = []
  const at = (where: string) => `${ctx.source}: ${where}`
  const header = ctx.header === undefined ? undefined : new Set(ctx.header)
  const checkColumn = (where: string, column: string) => {
    if (header === undefined || header.has(column)) return
    const hint = Suggest.didYouMean(column, header)
    problems.push(Problem.make(at(where), `column ${JSON.stringify(column)} is not in the ERP file's header${hint ? `; ${hint}` : ""} (columns: ${[...header].map((c) => JSON.stringify(c)).join(", ")})`))
  }
  const labels = byLabel(ctx.fields)
  const customLabels = [...labels.keys()]
  const pinByLabel = new Map(ctx.pins.map((p) => [p.label, p]))
  const fieldByCode = new Map(ctx.fields.map((f) => [f.field_code, f]))
  const newPins: Array<Pin> = []
  const toCreate: Array<FieldToCreate> = []

  /** Resolves a custom label to its field, checking it against its pin; `undefined` when it must be created or is broken. */
  const resolveCustom = (where: string, label: string, kind: ValueKind, enumValues: ReadonlyArray<string>): AccountField | undefined => {
    const pin = pinByLabel.get(label)
    if (pin !== undefined) {
      const pinned = fieldByCode.get(pin.fieldCode)
      if (pinned === undefined) {
        problems.push(Problem.make(at(where), `the custom field "${label}" (key ${pin.fieldCode}) was deleted in Pipedrive${labels.has(label) ? ", and another field now has that label" : ""}; nothing is written until this is resolved: restore the field, or remove it from the mapping, or unpin it with \`catalog-sync fields --unpin "${label}"\` to use ${labels.has(label) ? "the new field" : "a new field"}`))
        return undefined
      }
      if (pinned.field_name !== label) {
        problems.push(Problem.make(at(where), `the custom field "${label}" (key ${pin.fieldCode}) was renamed to "${pinned.field_name}" in Pipedrive; write custom.${pinned.field_name} in the mapping, or rename the field back`))
        return undefined
      }
      if (pinned.field_type !== pin.fieldType) {
        problems.push(Problem.make(at(where), `the custom field "${label}" (key ${pin.fieldCode}) changed type from ${pin.fieldType} to ${pinned.field_type} in Pipedrive; check the mapping's type for it, then unpin it with \`catalog-sync fields --unpin "${label}"\``))
        return undefined
      }
    }
    const found = labels.get(label) ?? []
    if (found.length > 1) {
      problems.push(Problem.make(at(where), `${found.length} custom fields share the label "${label}" (keys ${found.map((f) => f.field_code).join(", ")}); rename all but one in Pipedrive so the mapping names one field`))
      return undefined
    }
    const field = found[0]
    if (field === undefined) {
      if (input.createMissingFields === true) {
        toCreate.push({ label, type: creatableFor(kind), options: enumValues })
        return undefined
      }
      const hint = Suggest.didYouMean(label, customLabels)
      problems.push(Problem.make(at(where), `the account has no custom product field labelled "${label}"${hint ? ` (${hint})` : ""}; create it in Pipedrive, or set createMissingFields: true in the mapping to have catalog-sync create it`))
      return undefined
    }
    if (!(mappableTypes as ReadonlyArray<string>).includes(field.field_type)) {
      problems.push(Problem.make(at(where), `the custom field "${label}" has type ${field.field_type}, which catalog-sync cannot sync; remove it from the mapping`))
      return undefined
    }
    if (pin === undefined) newPins.push({ label, fieldCode: field.field_code, fieldType: field.field_type })
    return field
  }

  // The key.
  const keyColumn = input.key.erp
  checkColumn("key.erp", keyColumn)
  const keyTarget = input.key.pipedrive ?? "code"
  let keyPipedrive: Compiled["key"]["pipedrive"] = { kind: "code" }
  if (keyTarget !== "code") {
    const label = keyTarget.slice("custom.".length)
    const field = resolveCustom("key.pipedrive", label, "text", [])
    if (field !== undefined && !["varchar", "varchar_auto", "text"].includes(field.field_type)) {
      problems.push(Problem.make(at("key.pipedrive"), `the key field "${label}" must be a text field, but it is ${field.field_type}; match on "code" or on a text custom field`))
    }
    keyPipedrive = { kind: "custom", label, field }
  }

  const fields: Array<CompiledField> = []
  const writers = new Map<string, string>() // ERP column → the path written back into it
  for (const [path, m] of Object.entries(input.fields) as Array<[string, FieldMapping | undefined]>) {
    if (m === undefined) continue
    const where = `fields[${JSON.stringify(path)}]`
    const target = Field.parse(path)
    if (target === undefined) {
      const known = ["name", "code", "description", "unit", "tax", "category", "active", "linkable", "prices.EUR.price", "custom.<label>"]
      const hint = Suggest.didYouMean(path, known)
      problems.push(Problem.make(at(where), `is not a Pipedrive product field${hint ? `; ${hint}` : ""} (built-ins: name, code, description, unit, tax, category, active, linkable; prices.<CURRENCY>.price|cost|directCost; custom.<label>)`))
      continue
    }
    const direction = m.direction ?? "erp→pipedrive"
    if (m.owner !== undefined && direction !== "both") problems.push(Problem.make(at(`${where}.owner`), `only applies to direction "both" (this field flows ${direction})`))
    if (m.drift !== undefined && direction === "both") problems.push(Problem.make(at(`${where}.drift`), `only applies to a one-way field (this field flows both ways; its changes on either side flow)`))
    if (m.conflicts !== undefined && direction !== "both") problems.push(Problem.make(at(`${where}.conflicts`), `only applies to direction "both" (this field flows ${direction}; it cannot conflict)`))
    if (flowsTo(direction, "pipedrive") && ctx.mode.toPipedrive === "off") problems.push(Problem.make(at(`${where}.direction`), `flows ${direction}, but policies.mode sends nothing to Pipedrive (toPipedrive: "off"); give the field direction "pipedrive→erp", or change the mode`))
    if (flowsTo(direction, "erp") && ctx.mode.toErp === "off") problems.push(Problem.make(at(`${where}.direction`), `flows ${direction}, but policies.mode sends nothing to the ERP (toErp: "off"); give the field direction "erp→pipedrive", or change the mode`))
    if (target.kind === "builtin" && target.name === "code" && keyPipedrive.kind === "code") {
      problems.push(Problem.make(at(where), `code is the match key: it is set from key.erp (${JSON.stringify(keyColumn)}); remove this entry`))
      continue
    }
    if (target.kind === "builtin" && target.name === "active" && flowsTo(direction, "pipedrive")) {
      problems.push(Problem.make(at(where), `Pipedrive's API cannot re-activate a deleted product, so "active" can only flow pipedrive→erp; to stop sales using a product, map the column to "linkable"`))
    }
    if (target.kind === "price" && !ctx.currencies.has(target.currency)) {
      const hint = Suggest.didYouMean(target.currency, ctx.currencies.codes, 1)
      problems.push(Problem.make(at(where), `the account has no currency ${target.currency}${hint ? ` (${hint})` : ""}; add it in Pipedrive (Company settings → Currencies) or use one of its currencies: ${ctx.currencies.codes.join(", ") || "none"}`))
    }
    const kind = m.type !== undefined ? kindOf(m.type) : undefined
    const enumValues = m.type !== undefined && typeof m.type !== "string" ? Object.values("enum" in m.type ? m.type.enum : m.type.set.values ?? {}) : []
    const custom = target.kind === "custom" ? resolveCustom(where, target.label, kind ?? "text", [...new Set(enumValues)]) : undefined
    const effectiveKind = kind ?? defaultKind(target, custom)
    const allowed = accepts(target, custom)
    if ((m.erp !== undefined || m.compute !== undefined) && flowsTo(direction, "pipedrive")) {
      if (allowed.length === 0) {
        problems.push(Problem.make(at(where), `a ${custom?.field_type ?? "this"} field cannot be read from an ERP column; give it direction "pipedrive→erp"`))
      } else if (!allowed.includes(effectiveKind)) {
        problems.push(Problem.make(at(`${where}.type`), `a ${effectiveKind} column cannot feed ${target.kind === "custom" ? `the ${custom?.field_type ?? ""} field "${target.label}"` : path}; use ${allowed.map((k) => JSON.stringify(k)).join(" or ")}`))
      }
    }
    const columns = columnsOf(m)
    for (const c of columns) checkColumn(`${where}.erp`, c)
    if (m.compute !== undefined && direction !== "erp→pipedrive") problems.push(Problem.make(at(`${where}.compute`), `a computed value can only flow erp→pipedrive (it has no single column to write back to)`))
    if (m.compute === undefined && columns.length > 1) problems.push(Problem.make(at(`${where}.erp`), `names ${columns.length} columns; only a computed field reads several (add compute, or name one column)`))
    if (columns.length === 0 && m.compute === undefined) problems.push(Problem.make(at(`${where}.erp`), `is required: the ERP column this field is read from${flowsTo(direction, "erp") ? " and written back to" : ""}`))
    const column = m.compute === undefined ? columns[0] : undefined
    if (column !== undefined && flowsTo(direction, "erp")) {
      const other = writers.get(column)
      if (other !== undefined) problems.push(Problem.make(at(`${where}.erp`), `column ${JSON.stringify(column)} is already written back by fields[${JSON.stringify(other)}]; one column can take one field`))
      else writers.set(column, path)
    }
    if (m.owner !== undefined && m.conflicts !== undefined && m.conflicts !== "manual" && m.conflicts !== `${m.owner}-wins`) {
      problems.push(Problem.make(at(`${where}.conflicts`), `says ${m.conflicts} but owner is ${m.owner}; the owner wins conflicts unless conflicts is "manual" — drop one of them`))
    }
    if (custom !== undefined && (custom.field_type === "enum" || custom.field_type === "set") && enumValues.length > 0) {
      const valid = new Set((custom.options ?? []).map((o) => o.label))
      const unknown = [...new Set(enumValues)].filter((v) => !valid.has(v))
      if (unknown.length > 0) {
        problems.push(Problem.make(at(`${where}.type`), `maps to ${unknown.map((u) => JSON.stringify(u)).join(", ")}, not ${unknown.length === 1 ? "an option" : "options"} of "${custom.field_name}"; its options: ${[...valid].map((v) => JSON.stringify(v)).join(", ")}`))
      }
    }
    if (m.booleans !== undefined && effectiveKind !== "boolean") problems.push(Problem.make(at(`${where}.booleans`), `only applies to type "boolean"`))
    if (custom?.field_type === "monetary" && (m.erp !== undefined || m.compute !== undefined)) {
      if (m.currency === undefined) problems.push(Problem.make(at(`${where}.currency`), `is required: "${custom.field_name}" is a monetary field, so say which currency the ERP column is in`))
      else if (!ctx.currencies.has(m.currency)) problems.push(Problem.make(at(`${where}.currency`), `the account has no currency ${m.currency}; add it in Pipedrive or use one of its currencies: ${ctx.currencies.codes.join(", ")}`))
    }
    const type = m.type
    fields.push({
      path,
      target,
      direction,
      owner: direction === "both" ? (m.owner ?? (m.conflicts === "pipedrive-wins" ? "pipedrive" : "erp")) : direction === "erp→pipedrive" ? "erp" : "pipedrive",
      conflicts: m.conflicts ?? ctx.conflicts,
      drift: m.drift ?? input.drift ?? "restore",
      custom,
      erp: {
        column,
        inputs: columns,
        type: effectiveKind === "enum" || effectiveKind === "set" ? "text" : effectiveKind,
        decimal: m.decimal,
        booleans: m.booleans,
        values: type !== undefined && typeof type !== "string" ? ("enum" in type ? type.enum : type.set.values) : undefined,
        separator: type !== undefined && typeof type !== "string" && "set" in type ? type.set.separator : undefined,
        default: m.default,
        trim: m.trim ?? true,
        case: m.case,
        compute: m.compute,
        currency: m.currency
      }
    })
  }
  const seenLabels = new Map<string, string>()
  for (const f of fields) {
    if (f.target.kind !== "custom") continue
    const lower = f.target.label.toLowerCase()
    const first = seenLabels.get(lower)
    if (first !== undefined) problems.push(Problem.make(at(`fields[${JSON.stringify(f.path)}]`), `names the same custom field as fields[${JSON.stringify(`custom.${first}`)}] (labels differ only in case); map each field once`))
    else seenLabels.set(lower, f.target.label)
  }
  if (problems.length > 0) return Either.left(problems)
  const columnNames = [keyColumn, ...fields.flatMap((f) => f.erp?.inputs ?? [])]
  return Either.right({
    key: { erpColumn: keyColumn, pipedrive: keyPipedrive },
    fields,
    byPath: new Map(fields.map((f) => [f.path, f])),
    currencies: ctx.currencies,
    columns: [...new Set(columnNames)].map((name) => ({ name, required: header !== undefined })),
    toCreate,
    pins: [...ctx.pins, ...newPins],
    policies: ctx.mode
  })
}
