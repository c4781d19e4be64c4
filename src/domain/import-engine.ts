/**
 * What an import sync does with its staged rows (imports-exports §5): each row is matched on the
 * definition's identifier and upserted into the entity's records under the update rules, rows
 * that cannot be imported become rejects with Eloqua's codes, and the logs count what happened
 * in the order Eloqua writes them. Pure: it changes only the records it is given.
 *
 * Choices where Eloqua's behaviour is unknown are listed in the README ("Where the mock differs").
 */
import type { StagedUpload } from './records.js'
import { indexSpec, type EntityRecord, type EntityTable, type IndexSpec } from './entities.js'
import { isValidEmailAddress, type Entity, type FieldInfo, type Target } from './statements.js'
import { MAX_KEPT_TEXT, actionLine, identifierValue, keptText, summaryLine, walkRows, type FinalStatus, type LogLine, type RecordEffect, type Rejects, type SyncReject } from './sync-engine.js'
import type { SyncAction } from '../schemas/fixtures.js'

export const UPDATE_RULES = ['always', 'ifNewIsNotNull', 'ifExistingIsNull', 'useFieldRule'] as const
export type UpdateRule = typeof UPDATE_RULES[number]
export const IMPORT_RULES = ['createAndUpdate', 'updateOnly', 'createOnly'] as const
export type ImportRule = typeof IMPORT_RULES[number]

/** A definition key and what its statement names. */
export interface MappedKey { readonly key: string, readonly target: Target }

/** Links custom object records to the contact or account whose field matches a row value (mapDataCards). */
export interface DataCardLink {
  readonly sourceKey: string
  readonly entity: 'contact' | 'account'
  readonly table: EntityTable
  readonly field: FieldInfo
  readonly caseSensitive: boolean
}

export interface ImportInput {
  readonly syncId: number
  readonly entity: Entity
  readonly keys: readonly MappedKey[]
  readonly identifierFieldName: string
  readonly updateRule: UpdateRule
  readonly updateRuleByField: Readonly<Record<string, UpdateRule>>
  readonly isUpdatingMultipleMatchedRecords: boolean
  readonly importRule: ImportRule
  /** Fields every record must have a value for. */
  readonly notNullFields: readonly FieldInfo[]
  readonly link: DataCardLink | undefined
  readonly syncActions: readonly SyncAction[]
  readonly uploads: readonly StagedUpload[]
  readonly table: EntityTable
  readonly maxRejects: number
  /** The time of the changes, on the mock clock. */
  readonly at: number
  /** Values the instance assigns a new record, such as ContactIDExt. */
  readonly derive?: ((id: number) => Record<string, string>) | undefined
}

export interface ImportOutcome { status: FinalStatus, logs: LogLine[], rejects: ImportRejects, effects: RecordEffect[] }

const REASONS = {
  missing: ['ELQ-00061', 'Rejected records (missing fields).'],
  invalidEmail: ['ELQ-00002', 'Invalid email address.'],
  unmatched: ['ELQ-00034', 'Total unmatched records.'],
  multiple: ['ELQ-00026', 'Multiple matches.'],
  duplicate: ['ELQ-00026', 'Duplicate identifier.'],
  contactExists: ['ELQ-00048', 'Contact already exists.'],
  notUnique: ['ELQ-00125', 'Unique constraint failed.'],
  limit: ['ELQ-00060', 'The instance holds MAX_RECORDS records: no more can be created.'],
  invalidValue: ['ELQ-00040', 'Invalid field value.']
} as const
type Reason = keyof typeof REASONS

/** Characters of kept values that count as one more reject against MAX_RETAINED_REJECTS. */
const CHARS_PER_REJECT_WEIGHT = 256

/**
 * The rejected rows of an import sync: the row's values by definition key (`""` where the row had
 * none, as Eloqua lists them), each kept at most MAX_KEPT_TEXT characters.
 */
export class ImportRejects implements Rejects {
  readonly #keys: readonly string[]
  readonly #limit: number
  readonly #entries: Array<{ reason: Reason, recordIndex: number, invalid: string[], values: string[] }> = []
  #weight = 0

  constructor (keys: readonly string[], limit: number) {
    this.#keys = keys
    this.#limit = limit
  }

  add (reason: Reason, recordIndex: number, invalid: string[], values: readonly string[]): void {
    if (this.#entries.length >= this.#limit) return
    let chars = 0
    const kept = values.map((value) => {
      const text = value.length > MAX_KEPT_TEXT ? keptText(value) : value
      chars += text.length
      return text
    })
    this.#entries.push({ reason, recordIndex, invalid: invalid.map((k) => k.length > MAX_KEPT_TEXT ? keptText(k) : k), values: kept })
    this.#weight += 1 + Math.floor(chars / CHARS_PER_REJECT_WEIGHT)
  }

  get length (): number {
    return this.#entries.length
  }

  get weight (): number {
    return this.#weight
  }

  at (i: number): SyncReject | undefined {
    const entry = this.#entries[i]
    if (entry === undefined) return undefined
    const fieldValues: Record<string, string> = {}
    this.#keys.forEach((key, k) => { fieldValues[key] = entry.values[k] as string })
    const [statusCode, message] = REASONS[entry.reason]
    return { fieldValues, message, statusCode, recordIndex: entry.recordIndex, invalidFields: entry.invalid }
  }
}

const ENTITY_LINES: Readonly<Record<Entity, { created: [string, string], updated: [string, string] }>> = {
  contacts: { created: ['ELQ-00004', 'Contacts created.'], updated: ['ELQ-00022', 'Contacts updated.'] },
  accounts: { created: ['ELQ-00005', 'Accounts created.'], updated: ['ELQ-00023', 'Accounts updated.'] },
  customObjects: { created: ['ELQ-00007', 'CustomObject data created.'], updated: ['ELQ-00012', 'CustomObject data updated.'] }
}

/** A plain decimal number, as Eloqua's number fields hold: no exponent, hex or spaces. */
const DECIMAL = /^-?\d{1,30}(\.\d{1,30})?$/

/** Whether a value suits a field's data type; blank suits every type. */
function suitsType (field: FieldInfo, value: string): boolean {
  if (value === '') return true
  if (field.dataType === 'number') return DECIMAL.test(value)
  if (field.dataType === 'date') return !Number.isNaN(Date.parse(value))
  if (field.dataType === 'boolean') return ['true', 'false', '1', '0', 'yes', 'no'].includes(value.toLowerCase())
  return true
}

export function processImport (input: ImportInput): ImportOutcome {
  const { keys, identifierFieldName, table } = input
  const keyNames = keys.map((k) => k.key)
  const definitionKeys = new Set(keyNames)
  const identifierIndex = keyNames.indexOf(identifierFieldName)
  const identifier = (keys[identifierIndex] as MappedKey).target
  const byIdentifier = indexSpec(identifier)
  // The instance assigns Ids and read-only values: a row cannot create a record by one.
  const createsRecords = identifier.kind === 'externalId' || (identifier.kind === 'field' && !identifier.field.readOnly)

  const logs: LogLine[] = []
  const rejects = new ImportRejects(keyNames, input.maxRejects)
  const counts: Record<Reason | 'rejectedFields' | 'linked', number> = { missing: 0, invalidEmail: 0, unmatched: 0, multiple: 0, duplicate: 0, contactExists: 0, notUnique: 0, limit: 0, invalidValue: 0, rejectedFields: 0, linked: 0 }
  const created = new Set<EntityRecord>()
  const updated = new Set<EntityRecord>()
  const seen = new Set<string>()
  const emailKeys = keys.flatMap((k, i) => k.target.kind === 'field' && k.target.field.dataType === 'emailAddress' ? [i] : [])
  const uniqueSpecs = new Map(keys.flatMap((k) => k.target.kind === 'field' && k.target.field.unique ? [[k.target.field, indexSpec(k.target)] as const] : []))
  const link = input.link
  const linkSpec = link === undefined ? undefined : indexSpec({ kind: 'field', field: link.field }, link.caseSensitive)
  const { total, ignoredFieldLines } = walkRows(input.uploads, identifierFieldName, (key) => definitionKeys.has(key), logs, (row, recordIndex) => {
    const values = keyNames.map((key) => identifierValue(Object.hasOwn(row, key) ? row[key] : undefined))
    const reject = (reason: Reason, invalid: string[]): void => {
      counts[reason] += 1
      rejects.add(reason, recordIndex, invalid, values)
    }
    const idValue = values[identifierIndex] as string
    if (idValue === '') {
      reject('missing', [identifierFieldName])
      return
    }
    let badEmails: string[] | undefined
    for (const i of emailKeys) {
      const value = values[i] as string
      if (value !== '' && !isValidEmailAddress(value)) (badEmails ??= []).push(keyNames[i] as string)
    }
    if (badEmails !== undefined) {
      reject('invalidEmail', badEmails)
      return
    }
    // Each identifier is imported once per sync: later rows with it are rejected as duplicates.
    const normalised = byIdentifier.foldCase ? idValue.toLowerCase() : idValue
    if (seen.has(normalised)) {
      reject('duplicate', [identifierFieldName])
      return
    }
    seen.add(normalised)
    const matches = table.find(byIdentifier, idValue)
    if (matches.length === 0 && input.importRule === 'updateOnly') return
    if (matches.length > 0 && input.importRule === 'createOnly') return
    if (matches.length === 0 && !createsRecords) {
      reject('unmatched', [identifierFieldName])
      return
    }
    if (matches.length > 1 && !input.isUpdatingMultipleMatchedRecords) {
      reject('multiple', [identifierFieldName])
      return
    }
    if (matches.length === 0 && table.full) {
      reject('limit', [identifierFieldName])
      return
    }
    // Values a field cannot take are dropped from the row, which is imported without them.
    const dropped: string[] = []
    const writes: Array<{ field: FieldInfo, value: string, key: string }> = []
    keys.forEach(({ key, target }, i) => {
      // A key the row does not carry leaves the field alone; an empty value is a value.
      if (target.kind !== 'field' || i === identifierIndex || !Object.hasOwn(row, key)) return
      const value = values[i] as string
      if ((target.field.readOnly && value !== '') || !suitsType(target.field, value)) dropped.push(key)
      else if (!target.field.readOnly) writes.push({ field: target.field, value, key })
    })
    const rulesOf = (key: string): UpdateRule => input.updateRuleByField[key] ?? input.updateRule
    const next = (record: EntityRecord | undefined): Record<string, string> => {
      const fieldValues = { ...record?.fieldValues }
      if (record === undefined && identifier.kind === 'field') fieldValues[identifier.field.internalName] = idValue
      for (const { field, value, key } of writes) {
        const existing = fieldValues[field.internalName] ?? ''
        const rule = record === undefined ? 'always' : rulesOf(key)
        if (rule === 'ifNewIsNotNull' && value === '') continue
        if (rule === 'ifExistingIsNull' && existing !== '') continue
        if (value === '' && record === undefined) continue
        fieldValues[field.internalName] = value
      }
      return fieldValues
    }
    const targets = matches.length === 0 ? [undefined] : matches
    const results = targets.map((record) => ({ record, fieldValues: next(record) }))
    // A record must keep a value in every not-null field: such a row changes nothing.
    const blank = input.notNullFields.find((field) => results.some(({ fieldValues }) => (fieldValues[field.internalName] ?? '') === ''))
    if (blank !== undefined) {
      // A not-null field the definition does not map is named by the identifier that made the record.
      reject('missing', [keys.find((k) => k.target.kind === 'field' && k.target.field === blank)?.key ?? identifierFieldName])
      return
    }
    // A value of a unique field that another record holds is refused, as Eloqua refuses a second contact with an address.
    const clash = writes.find(({ field, value }) => field.unique && value !== '' &&
      table.find(uniqueSpecs.get(field) as IndexSpec, value).some((other) => !matches.includes(other)))
    if (clash !== undefined) {
      reject(input.entity === 'contacts' ? 'contactExists' : 'notUnique', [clash.key])
      return
    }
    if (dropped.length > 0) {
      counts.rejectedFields += 1
      rejects.add('invalidValue', recordIndex, dropped, values)
    }
    for (const { record, fieldValues } of results) {
      let target = record
      if (target === undefined) {
        target = table.create(input.at, fieldValues, identifier.kind === 'externalId' ? idValue : undefined, input.derive)
        created.add(target)
      } else {
        table.replaceValues(target, fieldValues, input.at)
        if (!created.has(target)) updated.add(target)
      }
      if (link !== undefined && linkSpec !== undefined) {
        const source = values[keyNames.indexOf(link.sourceKey)] as string
        const [linked] = source === '' ? [] : link.table.find(linkSpec, source)
        if (linked !== undefined) {
          if (link.entity === 'contact') target.contactId = linked.id
          else target.accountId = linked.id
          counts.linked += 1
        }
      }
    }
  })

  const head: LogLine[] = [
    { count: total, severity: 'information', statusCode: 'ELQ-00130', message: 'Total records staged for import.' },
    { count: 0, severity: 'information', statusCode: 'ELQ-00137', message: 'Ready for data import processing.' }
  ]
  logs.unshift(...head, ...ignoredFieldLines)
  const imported = [...created, ...updated]
  const effects: RecordEffect[] = []
  if (total === 0) {
    logs.push({ count: 0, severity: 'information', statusCode: 'ELQ-00124', message: 'There was no data available to process.' })
  } else {
    const line = (count: number, severity: LogLine['severity'], [statusCode, message]: readonly [string, string]): void => { logs.push({ count, severity, statusCode, message }) }
    line(total, 'information', ['ELQ-00001', 'Total records processed.'])
    if (counts.invalidEmail > 0) line(counts.invalidEmail, 'warning', ['ELQ-00002', 'Invalid email addresses.'])
    if (counts.missing > 0) line(counts.missing, 'warning', REASONS.missing)
    if (counts.unmatched > 0) line(counts.unmatched, 'warning', REASONS.unmatched)
    if (counts.multiple > 0) line(counts.multiple, 'warning', ['ELQ-00135', 'Multiple matched record limit exceeded.'])
    if (counts.duplicate > 0) {
      line(counts.duplicate, 'warning', ['ELQ-00026', 'Duplicate identifier.'])
      line(total - counts.duplicate, 'information', ['ELQ-00003', 'Total records remaining after duplicates are rejected.'])
    }
    if (counts.contactExists > 0) line(counts.contactExists, 'warning', REASONS.contactExists)
    if (counts.notUnique > 0) line(counts.notUnique, 'warning', REASONS.notUnique)
    if (counts.limit > 0) line(counts.limit, 'warning', ['ELQ-00060', 'Total rejected records.'])
    line(created.size, 'information', ENTITY_LINES[input.entity].created)
    line(updated.size, 'information', ENTITY_LINES[input.entity].updated)
    if (counts.rejectedFields > 0) line(counts.rejectedFields, 'warning', ['ELQ-00144', 'Total records with rejected fields.'])
    if (input.link !== undefined) line(counts.linked, 'information', ['ELQ-00025', 'CustomObject data linked.'])
    for (const action of input.syncActions) {
      logs.push(actionLine(action, imported.length))
      for (const record of imported) effects.push({ record, action })
    }
  }
  const status: FinalStatus = logs.some((l) => l.severity === 'warning') ? 'warning' : 'success'
  logs.push(summaryLine(input.syncId, status))
  return { status, logs, rejects, effects }
}
