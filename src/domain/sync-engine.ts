/**
 * What a sync of a custom object sync action definition does with its staged records, computed
 * the way Eloqua reports it: staged rows whose identifier matches a custom object record get the
 * definition's actions; the others become rejects, and the logs count what happened with Eloqua's
 * ELQ status codes (eloqua-reference §11).
 *
 * LIMITATIONS: duplicate identifiers are not reported (ELQ-00026): the record is actioned once; the
 * `updateAll` flag has no effect; only the log lines below are written, with at most
 * MAX_IGNORED_FIELD_LINES ELQ-00111 lines per sync.
 */
import type { SyncAction } from '../schemas/fixtures.js'
import type { EntityRecord } from './entities.js'
import { decodeUpload, type DataRecord, type StagedUpload } from './records.js'
import { describeValue } from './errors.js'

export type Severity = 'information' | 'warning' | 'error'
export type FinalStatus = 'success' | 'warning' | 'error'

export interface LogLine { count: number, severity: Severity, statusCode: string, message: string }

export interface SyncReject {
  fieldValues: Record<string, string>
  message: string
  statusCode: string
  recordIndex: number
  invalidFields: string[]
}

/** The rejects of an ended sync, built one by one as a page reads them. */
export interface Rejects {
  readonly length: number
  /** What they count against MAX_RETAINED_REJECTS: one each, more for long field values. */
  readonly weight: number
  at: (i: number) => SyncReject | undefined
}

/**
 * The rejected rows of a sync, kept compactly (the identifier value and the row's position) and
 * turned into Eloqua's reject objects only when read. At most `limit` are kept; the rest are
 * counted in the logs as usual but not listed.
 */
export class RejectList implements Rejects {
  readonly #identifier: string
  readonly #limit: number
  readonly #values: string[] = []
  readonly #indexes: number[] = []

  constructor (identifierFieldName: string, limit: number) {
    this.#identifier = identifierFieldName
    this.#limit = limit
  }

  /** An empty value means the row had no identifier (ELQ-00061); any other was not matched (ELQ-00034). */
  add (value: string, recordIndex: number): void {
    if (this.#values.length >= this.#limit) return
    this.#values.push(value.length > MAX_KEPT_TEXT ? keptText(value) : value)
    this.#indexes.push(recordIndex)
  }

  get length (): number {
    return this.#values.length
  }

  get weight (): number {
    return this.#values.length
  }

  at (i: number): SyncReject | undefined {
    const value = this.#values[i]
    if (value === undefined) return undefined
    const [statusCode, message] = value === '' ? MISSING : UNMATCHED
    return { fieldValues: { [this.#identifier]: value }, message, statusCode, recordIndex: this.#indexes[i] as number, invalidFields: [this.#identifier] }
  }
}

const MISSING = ['ELQ-00061', 'Rejected records (missing fields).'] as const
const UNMATCHED = ['ELQ-00034', 'Total unmatched records.'] as const

/**
 * Identifier values and field names are kept at most this long: a reject or a log line must not
 * hold a 30 MB value for a year. Longer ones keep their start, copied (a slice would keep the
 * whole original alive), and end in "...".
 */
export const MAX_KEPT_TEXT = 1000

export function keptText (text: string): string {
  return `${Buffer.from(text.slice(0, MAX_KEPT_TEXT - 3)).toString()}...`
}

/** ELQ-00111 lines written per sync at most: one per ignored field, and a record may name thousands. */
export const MAX_IGNORED_FIELD_LINES = 100

export interface RecordEffect { record: EntityRecord, action: SyncAction }

export interface SyncOutcome { status: FinalStatus, logs: LogLine[], rejects: RejectList, effects: RecordEffect[] }

/** How rows find records: the record a row's identifier value names, if any. */
export interface RecordKey {
  find: (value: string) => EntityRecord | undefined
}

export interface SyncInput {
  syncId: number
  identifierFieldName: string
  key: RecordKey
  syncActions: readonly SyncAction[]
  uploads: readonly StagedUpload[]
  /** Rejects kept at most (see RejectList); default all. */
  maxRejects?: number
}

const capitalised = (status: string): string => `${status.charAt(0).toUpperCase()}${status.slice(1)}`

export function summaryLine (syncId: number, status: FinalStatus): LogLine {
  return { count: 0, severity: 'information', statusCode: 'ELQ-00101', message: `Sync processed for sync ${syncId}, resulting in ${capitalised(status)} status.` }
}

/** The log line Eloqua writes for an action, by the kind of destination it names. */
export function actionLine (action: SyncAction, count: number): LogLine {
  const destination = action.destination ?? ''
  const id = /\[(\d+)\]\}\}$/.exec(destination)?.[1] ?? destination
  const line = (statusCode: string, message: string): LogLine => ({ count, severity: 'information', statusCode, message })
  if (action.action === 'setStatus') {
    if (/^\{\{EmailGroup\[/.test(destination) && action.status === 'subscribed') return line('ELQ-00115', `Subscribed members to Email Group ${id}.`)
    if (/^\{\{EmailGroup\[/.test(destination) && action.status === 'unsubscribed') return line('ELQ-00116', `Unsubscribed members from Email Group ${id}.`)
    if (destination === '{{GlobalSubscribe}}' && action.status === 'subscribed') return line('ELQ-00138', 'Contacts email marked as subscribed.')
    if (destination === '{{GlobalSubscribe}}' && action.status === 'unsubscribed') return line('ELQ-00017', 'Contacts email marked as unsubscribed.')
    return line('ELQ-00128', `Updated members status to ${action.status ?? ''} in service instance ${destination}.`)
  }
  const accountList = /^\{\{AccountList\[/.test(destination)
  if (action.action === 'add') return accountList ? line('ELQ-00114', `Added members to Account List ${id}.`) : line('ELQ-00119', `Added members to Contact List ${id}.`)
  return accountList ? line('ELQ-00117', `Removed members from Account List ${id}.`) : line('ELQ-00118', `Removed members from Contact List ${id}.`)
}

/** An identifier as text; a nested value (never an identifier) is described, not stringified in full. */
export function identifierValue (raw: unknown): string {
  if (raw === undefined || raw === null) return ''
  return typeof raw === 'object' ? describeValue(raw) : String(raw)
}

export function processSync (input: SyncInput): SyncOutcome {
  const { identifierFieldName: identifier } = input
  const logs: LogLine[] = []
  const rejects = new RejectList(identifier, input.maxRejects ?? Infinity)
  const effects: RecordEffect[] = []
  const actioned = new Set<number>()
  let missing = 0
  let unmatched = 0
  let matched = 0

  const { total, ignoredFieldLines } = walkRows(input.uploads, identifier, (key) => key === identifier, logs, (row, recordIndex) => {
    const value = identifierValue(Object.hasOwn(row, identifier) ? row[identifier] : undefined)
    if (value === '') {
      missing += 1
      rejects.add('', recordIndex)
      return
    }
    const record = input.key.find(value)
    if (record === undefined) {
      unmatched += 1
      rejects.add(value, recordIndex)
      return
    }
    matched += 1
    // The same actions twice leave a record as once: each record is actioned once per sync.
    if (actioned.has(record.id)) return
    actioned.add(record.id)
    for (const action of input.syncActions) effects.push({ record, action })
  })

  logs.unshift({ count: total, severity: 'information', statusCode: 'ELQ-00140', message: 'Records staged for sync actions.' }, ...ignoredFieldLines)
  if (total === 0) {
    logs.push({ count: 0, severity: 'information', statusCode: 'ELQ-00124', message: 'There was no data available to process.' })
  } else {
    logs.push({ count: total, severity: 'information', statusCode: 'ELQ-00001', message: 'Total records processed.' })
    if (missing > 0) logs.push({ count: missing, severity: 'warning', statusCode: 'ELQ-00061', message: 'Rejected records (missing fields).' })
    if (unmatched > 0) logs.push({ count: unmatched, severity: 'warning', statusCode: 'ELQ-00034', message: 'Total unmatched records.' })
    for (const action of input.syncActions) logs.push(actionLine(action, matched))
  }
  const status: FinalStatus = logs.some((l) => l.severity === 'warning') ? 'warning' : 'success'
  logs.push(summaryLine(input.syncId, status))
  return { status, logs, rejects, effects }
}

/** The rows of an upload: a JSON body may be one object (Eloqua accepts that for imports) or an array of them. */
function rowsOf (upload: StagedUpload): DataRecord[] {
  const decoded = decodeUpload(upload) as unknown
  return Array.isArray(decoded) ? decoded as DataRecord[] : [decoded as DataRecord]
}

/**
 * Visits the rows of a sync's uploads in order, with their 1-based index over all of them; writes
 * ELQ-00121 for each file without the identifier column into `logs`, and returns the ELQ-00111
 * lines for row keys outside the definition (at most MAX_IGNORED_FIELD_LINES).
 */
export function walkRows (
  uploads: readonly StagedUpload[],
  identifier: string,
  isDefinitionKey: (key: string) => boolean,
  logs: LogLine[],
  visit: (row: DataRecord, recordIndex: number) => void
): { total: number, ignoredFieldLines: LogLine[] } {
  const extraFields = new Map<string, number>()
  let total = 0
  uploads.forEach((upload, fileIndex) => {
    const rows = rowsOf(upload)
    if (rows.length > 0 && !rows.some((row) => Object.hasOwn(row, identifier))) {
      logs.push({ count: rows.length, severity: 'warning', statusCode: 'ELQ-00121', message: `Field ${identifier} is part of import definition, but not included in file ${fileIndex + 1}.` })
    }
    for (const row of rows) {
      total += 1
      for (const key in row) {
        if (isDefinitionKey(key)) continue
        // Counted by the whole key; only the line written cuts it short.
        const seen = extraFields.get(key)
        if (seen !== undefined) extraFields.set(key, seen + 1)
        else if (extraFields.size < MAX_IGNORED_FIELD_LINES) extraFields.set(key, 1)
      }
      visit(row, total)
    }
  })
  const ignoredFieldLines = [...extraFields].map(([field, count]): LogLine =>
    ({ count, severity: 'warning', statusCode: 'ELQ-00111', message: `Field ${field.length > MAX_KEPT_TEXT ? keptText(field) : field} is not part of import definition, and will be ignored.` }))
  return { total, ignoredFieldLines }
}

/** Records what sync actions did to each record, by destination; the latest action on a destination wins. */
export function applyEffects (effects: readonly RecordEffect[], syncUri: string, updatedAt: string): void {
  for (const { record, action } of effects) {
    const destination = action.destination ?? ''
    const { status, member } = record.destinations[destination] ?? {}
    const change = action.action === 'setStatus' ? { status: action.status as string } : { member: action.action === 'add' }
    record.destinations[destination] = { ...(status === undefined ? {} : { status }), ...(member === undefined ? {} : { member }), ...change, syncUri, updatedAt }
  }
}
