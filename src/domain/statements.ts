/**
 * Eloqua markup statements that name what a definition reads or writes (imports-exports §4.2):
 * `{{Contact.Field(C_EmailAddress)}}`, `{{Contact.Id}}`, `{{Account.Field(M_CompanyName)}}`,
 * `{{Account.Id}}`, `{{CustomObject[9].Field[101]}}`, `{{CustomObject[9].ExternalId}}`,
 * `{{CustomObject[9].Id}}`. A statement resolves against the field catalogue of one entity; any
 * other statement names nothing there.
 */
import type { CustomObjectFixture, EntityFieldFixture } from '../schemas/fixtures.js'

export type Entity = 'contacts' | 'accounts' | 'customObjects'

export type FieldDataType = 'number' | 'string' | 'boolean' | 'date' | 'emailAddress'

/** A field as definitions see it: where its value is kept (`internalName`) and its constraints. */
export interface FieldInfo {
  readonly id: number
  readonly internalName: string
  readonly dataType: FieldDataType
  readonly readOnly: boolean
  readonly notNull: boolean
  readonly unique: boolean
}

/** What a statement names: a field, or the record's own Id or ExternalId. */
export type Target =
  | { readonly kind: 'field', readonly field: FieldInfo }
  | { readonly kind: 'id' }
  | { readonly kind: 'externalId' }

/** Email statuses a contact import may set (imports-exports §2.2); kept among the contact's values under these names. */
const EMAIL_STATUSES: Readonly<Record<string, FieldInfo>> = {
  'email.issubscribed': { id: 0, internalName: 'Email.IsSubscribed', dataType: 'boolean', readOnly: false, notNull: false, unique: false },
  'email.isbounced': { id: 0, internalName: 'Email.IsBounced', dataType: 'boolean', readOnly: false, notNull: false, unique: false }
}

/** The fields of one entity (contacts, accounts, or one custom object), by internal name and by id. */
export class FieldCatalogue {
  readonly entity: Entity
  /** The custom object, for custom object catalogues. */
  readonly parentId: number | undefined
  readonly fields: readonly FieldInfo[]
  readonly #byName = new Map<string, FieldInfo>()
  readonly #byId = new Map<number, FieldInfo>()

  constructor (entity: Entity, fields: readonly FieldInfo[], parentId?: number) {
    this.entity = entity
    this.parentId = parentId
    this.fields = fields
    for (const field of fields) {
      // Internal names are not case-sensitive in Eloqua.
      this.#byName.set(field.internalName.toLowerCase(), field)
      this.#byId.set(field.id, field)
    }
  }

  static ofEntity (entity: 'contacts' | 'accounts', fields: readonly EntityFieldFixture[]): FieldCatalogue {
    return new FieldCatalogue(entity, fields.map((f) => fieldInfo(f, f.internalName)))
  }

  static ofCustomObject (customObject: CustomObjectFixture): FieldCatalogue {
    return new FieldCatalogue('customObjects', (customObject.fields ?? []).map((f) => fieldInfo(f, customObjectFieldName(f))), customObject.id)
  }

  byName (internalName: string): FieldInfo | undefined {
    return this.#byName.get(internalName.toLowerCase())
  }

  /**
   * What a statement names in this catalogue, or undefined. Statements are read by position, not
   * by regular expression, so a long or hostile one costs time linear in its length.
   */
  resolve (statement: string): Target | undefined {
    if (!statement.startsWith('{{') || !statement.endsWith('}}')) return undefined
    // Keywords and internal names are read without case, as Eloqua reads them.
    const inner = statement.slice(2, -2).toLowerCase()
    if (this.entity === 'customObjects') {
      const prefix = `customobject[${String(this.parentId)}].`
      if (!inner.startsWith(prefix)) return undefined
      const rest = inner.slice(prefix.length)
      if (rest === 'id') return { kind: 'id' }
      if (rest === 'externalid') return { kind: 'externalId' }
      const id = rest.startsWith('field[') && rest.endsWith(']') ? decimal(rest.slice(6, -1)) : undefined
      const field = id === undefined ? undefined : this.#byId.get(id)
      return field === undefined ? undefined : { kind: 'field', field }
    }
    const prefix = this.entity === 'contacts' ? 'contact.' : 'account.'
    if (!inner.startsWith(prefix)) return undefined
    const rest = inner.slice(prefix.length)
    if (rest === 'id') return { kind: 'id' }
    const status = this.entity === 'contacts' && Object.hasOwn(EMAIL_STATUSES, rest) ? EMAIL_STATUSES[rest] : undefined
    if (status !== undefined) return { kind: 'field', field: status }
    if (!rest.startsWith('field(') || !rest.endsWith(')')) return undefined
    const field = this.byName(rest.slice(6, -1))
    return field === undefined ? undefined : { kind: 'field', field }
  }

  /** The statement of the record's own Id. */
  idStatement (): string {
    if (this.entity === 'customObjects') return `{{CustomObject[${String(this.parentId)}].Id}}`
    return `{{${this.entity === 'contacts' ? 'Contact' : 'Account'}.Id}}`
  }

  /** The statement of a field of this catalogue, as `/fields` lists it. */
  statementOf (field: FieldInfo): string {
    if (this.entity === 'customObjects') return `{{CustomObject[${String(this.parentId)}].Field[${field.id}]}}`
    return `{{${this.entity === 'contacts' ? 'Contact' : 'Account'}.Field(${field.internalName})}}`
  }
}

type FieldFixture = NonNullable<CustomObjectFixture['fields']>[number]

/** A custom object field without an internal name gets one from its name, as Eloqua derives it. */
export function customObjectFieldName (field: FieldFixture): string {
  return field.internalName ?? field.name.replace(/\W+/g, '_')
}

function fieldInfo (f: FieldFixture | EntityFieldFixture, internalName: string): FieldInfo {
  return {
    id: f.id,
    internalName,
    dataType: f.dataType ?? 'string',
    readOnly: f.hasReadOnlyConstraint ?? false,
    notNull: f.hasNotNullConstraint ?? false,
    unique: f.hasUniquenessConstraint ?? false
  }
}

/** A plain decimal id of at most 15 digits, else undefined. */
function decimal (text: string): number | undefined {
  if (text.length === 0 || text.length > 15 || text[0] === '0') return undefined
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) return undefined
  }
  return Number(text)
}

/**
 * An email address as Eloqua accepts it, checked without a regular expression: one `@`, a
 * local part, a domain with a dot that neither starts nor ends it, no spaces.
 */
export function isValidEmailAddress (value: string): boolean {
  if (value.length > 400) return false
  const at = value.indexOf('@')
  if (at <= 0 || at !== value.lastIndexOf('@')) return false
  const domain = value.slice(at + 1)
  const dot = domain.indexOf('.')
  if (dot <= 0 || domain.endsWith('.') || domain.includes('..')) return false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c <= 32 || c === 127 || c === 44 || c === 59 || c === 60 || c === 62) return false
  }
  return true
}
