/**
 * What an import sync does with its staged rows (imports-exports §5): each row is matched on the
 * definition's identifier and upserted into the entity's records under the update rules, rows
 * that cannot be imported become rejects with Eloqua's codes, and the logs count what happened
 * in the order Eloqua writes them. Pure: it changes only the records it is given.
 *
 * Choices where Eloqua's behaviour is unknown are listed in the README ("Where the mock differs").
 */
import { decodeUpload, type DataRecord, type StagedUpload } from './records.js'
import type { EntityRecord, EntityTable } from './entities.js'
import { isValidEmailAddress, type Entity, type FieldInfo, type Target } from './statements.js'
import { MAX_IGNORED_FIELD_LINES, MAX_KEPT_TEXT, actionLine, identifierValue, keptText, summaryLine, type FinalStatus, type LogLine, type RecordEffect, type Rejects, type SyncReject } from './sync-engine.js'
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
}

export interface ImportOutcome { status: FinalStatus, logs: LogLine[], rejects: ImportRejects, effects: RecordEffect[] }

const REASONS = {
  missing: ['ELQ-00061', 'Rejected records (missing fields).'],
  invalidEmail: ['ELQ-00002', 'Invalid email address.'],
  unmatched: ['ELQ-00034', 'Total unmatched records.'],
  multiple: ['ELQ-00026', 'Multiple matches.'],
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

/** The value a record holds for a target, as rows are compared with it. */
function valueOf (record: EntityRecord, target: Target): string | undefined {
  if (target.kind === 'id') return String(record.id)
  if (target.kind === 'externalId') return record.externalId
  return record.fieldValues[target.field.internalName]
}

/** Email addresses match whatever their case, as in Eloqua; other values exactly. */
function normaliser (target: Target, caseSensitive = true): (value: string) => string {
  const foldCase = !caseSensitive || (target.kind === 'field' && target.field.dataType === 'emailAddress')
  return foldCase ? (value) => value.toLowerCase() : (value) => value
}

/** Whether a value suits a field's data type; blank suits every type. */
function suitsType (field: FieldInfo, value: string): boolean {
  if (value === '') return true
  if (field.dataType === 'number') return value.trim() !== '' && Number.isFinite(Number(value))
  if (field.dataType === 'date') return !Number.isNaN(Date.parse(value))
  if (field.dataType === 'boolean') return ['true', 'false', '1', '0', 'yes', 'no'].includes(value.toLowerCase())
  return true
}

/** A JSON body may be one object (Eloqua accepts that too) or an array of them. */
function rowsOf (upload: StagedUpload): DataRecord[] {
  const decoded = decodeUpload(upload) as unknown
  return Array.isArray(decoded) ? decoded as DataRecord[] : [decoded as DataRecord]
}

export function processImport (input: ImportInput): ImportOutcome {
  const { keys, identifierFieldName, table } = input
  const keyNames = keys.map((k) => k.key)
  const definitionKeys = new Set(keyNames)
  const identifierIndex = keyNames.indexOf(identifierFieldName)
  const identifier = (keys[identifierIndex] as MappedKey).target
  const normalise = normaliser(identifier)

  // Every record by its identifier value; kept current as rows create records.
  const index = new Map<string, EntityRecord[]>()
  const indexRecord = (record: EntityRecord): void => {
    const value = valueOf(record, identifier)
    if (value === undefined || value === '') return
    const key = normalise(value)
    const found = index.get(key)
    if (found === undefined) index.set(key, [record])
    else if (!found.includes(record)) found.push(record)
  }
  for (const record of table.records()) indexRecord(record)

  const logs: LogLine[] = []
  const rejects = new ImportRejects(keyNames, input.maxRejects)
  const counts = { missing: 0, invalidEmail: 0, unmatched: 0, multiple: 0, duplicates: 0, rejectedFields: 0, linked: 0 }
  const created = new Set<EntityRecord>()
  const updated = new Set<EntityRecord>()
  const seen = new Set<string>()
  const extraFields = new Map<string, number>()
  const linkIndex = input.link === undefined ? undefined : linkIndexOf(input.link)
  let total = 0

  input.uploads.forEach((upload, fileIndex) => {
    const rows = rowsOf(upload)
    if (rows.length > 0 && !rows.some((row) => Object.hasOwn(row, identifierFieldName))) {
      logs.push({ count: rows.length, severity: 'warning', statusCode: 'ELQ-00121', message: `Field ${identifierFieldName} is part of import definition, but not included in file ${fileIndex + 1}.` })
    }
    for (const row of rows) {
      total += 1
      for (const key in row) {
        if (definitionKeys.has(key)) continue
        const count = extraFields.get(key)
        if (count !== undefined) extraFields.set(key, count + 1)
        else if (extraFields.size < MAX_IGNORED_FIELD_LINES) extraFields.set(key.length > MAX_KEPT_TEXT ? keptText(key) : key, 1)
      }
      const values = keyNames.map((key) => identifierValue(Object.hasOwn(row, key) ? row[key] : undefined))
      const reject = (reason: Reason, invalid: string[]): void => { rejects.add(reason, total, invalid, values) }
      const idValue = values[identifierIndex] as string
      if (idValue === '') {
        counts.missing += 1
        reject('missing', [identifierFieldName])
        continue
      }
      const badEmails = keys.filter((k, i) => k.target.kind === 'field' && k.target.field.dataType === 'emailAddress' && values[i] !== '' && !isValidEmailAddress(values[i] as string))
      if (badEmails.length > 0) {
        counts.invalidEmail += 1
        reject('invalidEmail', badEmails.map((k) => k.key))
        continue
      }
      const normalised = normalise(idValue)
      if (seen.has(normalised)) counts.duplicates += 1
      seen.add(normalised)
      const matches = index.get(normalised) ?? []
      if (matches.length === 0 && (input.importRule === 'updateOnly')) continue
      if (matches.length > 0 && input.importRule === 'createOnly') continue
      if (matches.length === 0 && identifier.kind === 'id') {
        counts.unmatched += 1
        reject('unmatched', [identifierFieldName])
        continue
      }
      if (matches.length > 1 && !input.isUpdatingMultipleMatchedRecords) {
        counts.multiple += 1
        reject('multiple', [identifierFieldName])
        continue
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
        counts.missing += 1
        reject('missing', [keys.find((k) => k.target.kind === 'field' && k.target.field === blank)?.key ?? blank.internalName])
        continue
      }
      if (dropped.length > 0) {
        counts.rejectedFields += 1
        reject('invalidValue', dropped)
      }
      for (const { record, fieldValues } of results) {
        let target = record
        if (target === undefined) {
          target = table.create(fieldValues, identifier.kind === 'externalId' ? idValue : undefined)
          created.add(target)
          indexRecord(target)
        } else {
          target.fieldValues = fieldValues
          if (!created.has(target)) updated.add(target)
        }
        if (input.link !== undefined && linkIndex !== undefined) {
          const source = values[keyNames.indexOf(input.link.sourceKey)] ?? ''
          const linked = source === '' ? undefined : linkIndex.get(input.link.caseSensitive ? source : source.toLowerCase())
          if (linked !== undefined) {
            if (input.link.entity === 'contact') target.contactId = linked.id
            else target.accountId = linked.id
            counts.linked += 1
          }
        }
      }
    }
  })

  const head: LogLine[] = [
    { count: total, severity: 'information', statusCode: 'ELQ-00130', message: 'Total records staged for import.' },
    { count: 0, severity: 'information', statusCode: 'ELQ-00137', message: 'Ready for data import processing.' }
  ]
  for (const [field, count] of extraFields) {
    head.push({ count, severity: 'warning', statusCode: 'ELQ-00111', message: `Field ${field} is not part of import definition, and will be ignored.` })
  }
  logs.unshift(...head)
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
    if (counts.duplicates > 0) {
      line(counts.duplicates, 'warning', ['ELQ-00026', 'Duplicate identifier.'])
      line(seen.size, 'information', ['ELQ-00003', 'Total records remaining after duplicates are rejected.'])
    }
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

/** The contacts or accounts by the value of the field mapDataCards matches on. */
function linkIndexOf (link: DataCardLink): Map<string, EntityRecord> {
  const index = new Map<string, EntityRecord>()
  const fold = !link.caseSensitive
  for (const record of link.table.records()) {
    const value = record.fieldValues[link.field.internalName]
    if (value === undefined || value === '') continue
    const key = fold ? value.toLowerCase() : value
    if (!index.has(key)) index.set(key, record)
  }
  return index
}
