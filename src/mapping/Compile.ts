/**
 * Compiles a mapping against what it will run on — the ERP file's header, the account's product
 * fields and currencies, the fields pinned in the state, the sync policies — into the form the
 * converters and the planner use. Every problem is found up front and reported at once, each with
 * where it is and how to fix it; custom fields are resolved by label and checked against their pins.
 */
import { Either } from "effect"
import type * as Currency from "../domain/Currency.js"
import * as Field from "../domain/Field.js"
import type { ConflictPolicy, Modes } from "../domain/Policy.js"
import * as Problem from "../domain/Problem.js"
import type { Direction, Side } from "../domain/Side.js"
import * as Suggest from "../domain/Suggest.js"
import { type AccountField, byLabel, type CreatableType, mappableTypes, type Pin } from "./AccountFields.js"
import type { Drift, FieldMapping, MappingInput, ValueType } from "./Mapping.js"
import { accepts, creatableFor, defaultKind, type ValueKind } from "./ValueKinds.js"

/** How one ERP column is read and written for a field. */
export interface ErpRule {
  /** The column the field is read from and written back to (`undefined` for a computed field). */
  readonly column: string | undefined
  /** Every column the field reads (the column, or a computed field's inputs). */
  readonly inputs: ReadonlyArray<string>
  readonly type: "text" | "decimal" | "integer" | "boolean" | "money"
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
  /** Monetary custom fields: the currency of the ERP amounts (of a `money` column: the one it must be in). */
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
  /** The field whose options a value must be one of: an enum or set custom field, or the built-in `category`. */
  readonly options?: AccountField | undefined
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
  readonly policies: Modes
  /** Which rows are products (`rows` of the mapping): the column filters and the repeated-key rule. */
  readonly rows: {
    readonly where: ReadonlyArray<{ readonly column: string; readonly values: ReadonlyArray<string> }>
    readonly duplicates: "reject" | "first" | "last"
  }
}

export interface CompileContext {
  /** The ERP header (column names), or `undefined` when not known yet. */
  readonly header: ReadonlyArray<string> | undefined
  /** Every product field of the account (all pages). */
  readonly fields: ReadonlyArray<AccountField>
  readonly currencies: Currency.Registry
  readonly pins: ReadonlyArray<Pin>
  readonly mode: Modes
  readonly conflicts: ConflictPolicy
  /** The mapping file, for messages. */
  readonly source: string
  /** The account could not be read (`config check` offline): `fields` and `currencies` are unknown, and nothing is checked against them. */
  readonly offline?: boolean
}

const kindOf = (t: ValueType): ValueKind => (typeof t === "string" ? t : "enum" in t ? "enum" : "set")

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

  /** Queues a missing custom field for creation, or says why the type the mapping implies cannot be created. */
  const create = (where: string, label: string, kind: ValueKind, enumValues: ReadonlyArray<string>, currency: string | undefined) => {
    if (kind === "boolean") {
      problems.push(Problem.make(at(where), `createMissingFields cannot create "${label}" for a boolean column: Pipedrive's API creates no checkbox (boolean) product fields. Create the field in Pipedrive by hand, or map the column as a single option, e.g. type: { enum: { "1": "Yes", "0": "No" } }, to have an option field with those labels created`))
      return
    }
    const type = creatableFor(kind, currency)
    if ((type === "enum" || type === "set") && enumValues.length === 0) {
      problems.push(Problem.make(at(`${where}.type`), `createMissingFields cannot create the ${type === "enum" ? "single" : "multiple"} option field "${label}" without its options: Pipedrive needs them when the field is created; list every label in the value map (${type === "enum" ? "type: { enum: { ERP: \"Label\", … } }" : "type: { set: { separator, values: { ERP: \"Label\", … } } }"})`))
      return
    }
    toCreate.push({ label, type, options: type === "enum" || type === "set" ? enumValues : [] })
  }

  /** Resolves a custom label to its field, checking it against its pin; `undefined` when it must be created or is broken. */
  const resolveCustom = (where: string, label: string, kind: ValueKind, enumValues: ReadonlyArray<string>, currency?: string): AccountField | undefined => {
    if (ctx.offline === true) return undefined
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
        create(where, label, kind, enumValues, currency)
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

  /** A `money` column: a price, or a monetary custom field that exists (its currency is checked below). */
  const moneyChecks = (where: string, target: Field.Parsed, custom: AccountField | undefined, m: FieldMapping) => {
    if (target.kind !== "custom" || custom !== undefined) return
    if (input.createMissingFields === true && m.currency !== undefined) {
      problems.push(Problem.make(at(`${where}.type`), `type "money" needs the monetary field "${target.label}" in ${m.currency}; create it in Pipedrive (a monetary field), or read the column as type "decimal"`))
    }
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

  /** The built-in `category` field, whose options are the product categories (a problem when the account lists none). */
  const categoryField = (where: string): AccountField | undefined => {
    if (ctx.offline === true) return undefined
    const f = ctx.fields.find((x) => !x.is_custom_field && x.field_code === "category")
    if (f === undefined) problems.push(Problem.make(at(where), `the account's product fields have no built-in "category" field, so its options (the categories) are unknown; remove category from the mapping`))
    return f
  }

  /** The key flows ERP → Pipedrive only: no field may write it back, nor feed the key field from elsewhere. */
  const keyRule = (where: string, target: Field.Parsed, m: FieldMapping, direction: Direction): Problem.Problem | undefined => {
    const isKeyField = keyPipedrive.kind === "custom" && target.kind === "custom" && target.label === keyPipedrive.label
    const column = m.compute === undefined ? columnsOf(m)[0] : undefined
    if (isKeyField && flowsTo(direction, "erp")) {
      return Problem.make(at(`${where}.direction`), `custom.${target.label} is the match key, set from key.erp (${JSON.stringify(keyColumn)}); the key flows ERP → Pipedrive only, so this field must be "erp→pipedrive" (or removed: the key is written without it)`)
    }
    if (isKeyField && column !== keyColumn) {
      return Problem.make(at(where), `custom.${target.label} is the match key, set from key.erp (${JSON.stringify(keyColumn)}); it cannot also be fed from ${column === undefined ? "a computed value" : `column ${JSON.stringify(column)}`}: remove this entry`)
    }
    if (column === keyColumn && flowsTo(direction, "erp")) {
      return Problem.make(at(`${where}.direction`), `reads the key column ${JSON.stringify(keyColumn)}, which flows ERP → Pipedrive only (a key changed in Pipedrive and imported by the ERP would become another product); a field reading the key column must be "erp→pipedrive"`)
    }
    return undefined
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
    const keyProblem = keyRule(where, target, m, direction)
    if (keyProblem !== undefined) problems.push(keyProblem)
    if (target.kind === "builtin" && target.name === "active" && flowsTo(direction, "pipedrive")) {
      problems.push(Problem.make(at(where), `Pipedrive's API cannot re-activate a deleted product, so "active" can only flow pipedrive→erp; to stop sales using a product, map the column to "linkable"`))
    }
    if (target.kind === "price" && ctx.offline !== true && !ctx.currencies.has(target.currency)) {
      const hint = Suggest.didYouMean(target.currency, ctx.currencies.codes, 1)
      problems.push(Problem.make(at(where), `the account has no currency ${target.currency}${hint ? ` (${hint})` : ""}; add it in Pipedrive (Company settings → Currencies) or use one of its currencies: ${ctx.currencies.codes.join(", ") || "none"}`))
    }
    // A currency makes a custom field's column an amount (a monetary field), whatever type it names.
    const kind = m.type !== undefined ? kindOf(m.type) : target.kind === "custom" && m.currency !== undefined ? "decimal" : undefined
    const enumValues = m.type !== undefined && typeof m.type !== "string" ? Object.values("enum" in m.type ? m.type.enum : m.type.set.values ?? {}) : []
    const custom = target.kind === "custom" ? resolveCustom(where, target.label, kind ?? "text", [...new Set(enumValues)], m.currency) : undefined
    const options = target.kind === "builtin" && target.name === "category" ? categoryField(where) : custom !== undefined && (custom.field_type === "enum" || custom.field_type === "set") ? custom : undefined
    const effectiveKind = kind ?? defaultKind(target, custom)
    const allowed = accepts(target, custom)
    if ((m.erp !== undefined || m.compute !== undefined) && flowsTo(direction, "pipedrive")) {
      if (allowed.length === 0) {
        problems.push(Problem.make(at(where), `a ${custom?.field_type ?? "this"} field cannot be read from an ERP column; give it direction "pipedrive→erp"`))
      } else if (!allowed.includes(effectiveKind)) {
        problems.push(Problem.make(at(`${where}.type`), `a ${effectiveKind} column cannot feed ${target.kind === "custom" ? `the ${custom === undefined ? "custom" : custom.field_type} field "${target.label}"` : path}; use ${allowed.map((k) => JSON.stringify(k)).join(" or ")}`))
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
    if (options !== undefined && enumValues.length > 0) {
      const valid = new Set((options.options ?? []).map((o) => o.label))
      const unknown = [...new Set(enumValues)].filter((v) => !valid.has(v))
      if (unknown.length > 0) {
        problems.push(Problem.make(at(`${where}.type`), `maps to ${unknown.map((u) => JSON.stringify(u)).join(", ")}, not ${unknown.length === 1 ? "an option" : "options"} of "${options.field_name}"; its options: ${valid.size === 0 ? "none yet (add them in Pipedrive)" : [...valid].map((v) => JSON.stringify(v)).join(", ")}`))
      }
    }
    if (effectiveKind === "money") moneyChecks(where, target, custom, m)
    if (m.booleans !== undefined && effectiveKind !== "boolean") problems.push(Problem.make(at(`${where}.booleans`), `only applies to type "boolean"`))
    const monetary = custom?.field_type === "monetary" || toCreate.some((c) => c.label === (target.kind === "custom" ? target.label : undefined) && c.type === "monetary")
    if (monetary && (m.erp !== undefined || m.compute !== undefined)) {
      if (m.currency === undefined) problems.push(Problem.make(at(`${where}.currency`), `is required: "${target.kind === "custom" ? target.label : path}" is a monetary field, so say which currency the ERP column is in`))
      else if (ctx.offline !== true && !ctx.currencies.has(m.currency)) problems.push(Problem.make(at(`${where}.currency`), `the account has no currency ${m.currency}; add it in Pipedrive or use one of its currencies: ${ctx.currencies.codes.join(", ")}`))
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
      options,
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
  const where = Object.entries(input.rows?.where ?? {}).map(([column, v]) => ({ column, values: typeof v === "string" ? [v] : [...v] }))
  for (const w of where) {
    checkColumn(`rows.where[${JSON.stringify(w.column)}]`, w.column)
    if (w.values.length === 0) problems.push(Problem.make(at(`rows.where[${JSON.stringify(w.column)}]`), "lists no value: no row would be read"))
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
    policies: ctx.mode,
    rows: { where, duplicates: input.rows?.duplicates ?? "reject" }
  })
}
