/**
 * What a sync of a custom object sync action definition does with its staged records, computed
 * the way Eloqua reports it: staged rows whose identifier matches a custom object record get the
 * definition's actions; the others become rejects, and the logs count what happened with Eloqua's
 * ELQ status codes (eloqua-reference §11).
 *
 * LIMITATIONS: duplicate identifiers are actioned once per row, not reported (ELQ-00026); the
 * `updateAll` flag has no effect; only the log lines below are written.
 */
import type { SyncAction } from '../schemas/fixtures.js'
import type { IdentifierKind } from './definitions.js'
import { decodeUpload, type StagedUpload } from './records.js'

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

export interface RecordEffect { recordId: number, action: SyncAction }

export interface SyncOutcome { status: FinalStatus, logs: LogLine[], rejects: SyncReject[], effects: RecordEffect[] }

export interface MatchableRecord { id: number, externalId?: string }

export interface SyncInput {
  syncId: number
  identifierFieldName: string
  identifierKind: IdentifierKind
  syncActions: readonly SyncAction[]
  uploads: readonly StagedUpload[]
  records: readonly MatchableRecord[]
}

const capitalised = (status: string): string => `${status.charAt(0).toUpperCase()}${status.slice(1)}`

export function summaryLine (syncId: number, status: FinalStatus): LogLine {
  return { count: 0, severity: 'information', statusCode: 'ELQ-00101', message: `Sync processed for sync ${syncId}, resulting in ${capitalised(status)} status.` }
}

/** The log line Eloqua writes for an action, by the kind of destination it names. */
function actionLine (action: SyncAction, count: number): LogLine {
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

export function processSync (input: SyncInput): SyncOutcome {
  const { identifierFieldName: identifier } = input
  const byIdentifier = new Map<string, MatchableRecord>()
  for (const record of input.records) {
    const key = input.identifierKind === 'Id' ? String(record.id) : record.externalId
    if (key !== undefined) byIdentifier.set(key, record)
  }

  const logs: LogLine[] = []
  const rejects: SyncReject[] = []
  const effects: RecordEffect[] = []
  const extraFields = new Map<string, number>()
  let total = 0
  let missing = 0
  let unmatched = 0
  let matched = 0

  input.uploads.forEach((upload, fileIndex) => {
    const rows = decodeUpload(upload)
    if (rows.length > 0 && !rows.some((row) => identifier in row)) {
      logs.push({ count: rows.length, severity: 'warning', statusCode: 'ELQ-00121', message: `Field ${identifier} is part of import definition, but not included in file ${fileIndex + 1}.` })
    }
    for (const row of rows) {
      total += 1
      for (const key of Object.keys(row)) if (key !== identifier) extraFields.set(key, (extraFields.get(key) ?? 0) + 1)
      const raw = row[identifier]
      const value = raw === undefined || raw === null ? '' : String(raw)
      const reject = (statusCode: string, message: string): void => {
        rejects.push({ fieldValues: { [identifier]: value }, message, statusCode, recordIndex: total, invalidFields: [identifier] })
      }
      if (value === '') {
        missing += 1
        reject('ELQ-00061', 'Rejected records (missing fields).')
        continue
      }
      const record = byIdentifier.get(value)
      if (record === undefined) {
        unmatched += 1
        reject('ELQ-00034', 'Total unmatched records.')
        continue
      }
      matched += 1
      for (const action of input.syncActions) effects.push({ recordId: record.id, action })
    }
  })

  const head: LogLine[] = [{ count: total, severity: 'information', statusCode: 'ELQ-00140', message: 'Records staged for sync actions.' }]
  for (const [field, count] of extraFields) {
    head.push({ count, severity: 'warning', statusCode: 'ELQ-00111', message: `Field ${field} is not part of import definition, and will be ignored.` })
  }
  logs.unshift(...head)
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
