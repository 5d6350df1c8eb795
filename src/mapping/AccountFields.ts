/**
 * The account's product fields as the mapping needs them (a structural view of API v2
 * `productFields`, so any client's decoded type fits), and custom fields resolved by label.
 */
export interface FieldOption {
  readonly id: number | string
  readonly label: string
}

export interface AccountField {
  readonly field_code: string
  readonly field_name: string
  readonly field_type: string
  readonly options?: ReadonlyArray<FieldOption> | null | undefined
  readonly is_custom_field: boolean
}

/** A custom field pinned in the state: the key a label resolved to, and the type it had then. */
export interface Pin {
  readonly label: string
  readonly fieldCode: string
  readonly fieldType: string
}

/** Field types a mapping can read and write, and what an ERP value of each kind may go into. */
export const mappableTypes = [
  "varchar", "varchar_auto", "text", "phone", "date", "double", "int", "monetary", "enum", "set",
  "boolean", "daterange", "time", "timerange", "address", "user", "org", "people"
] as const

/** Field types `POST /productFields` can create, chosen from the mapping's value type. */
export type CreatableType = "varchar" | "double" | "monetary" | "enum" | "set"

/** Custom fields by exact label; a label used by more than one field maps to all of them. */
export const byLabel = (fields: ReadonlyArray<AccountField>): Map<string, Array<AccountField>> => {
  const out = new Map<string, Array<AccountField>>()
  for (const f of fields) {
    if (!f.is_custom_field) continue
    const list = out.get(f.field_name)
    if (list) list.push(f)
    else out.set(f.field_name, [f])
  }
  return out
}

export const optionLabels = (field: AccountField): Array<string> => (field.options ?? []).map((o) => o.label)
