/**
 * Export definitions of contacts, accounts and custom objects (imports-exports §3, §6): a map of
 * keys to statements; a sync snapshots the site's records as rows of text keyed by those keys,
 * which `GET /syncs/{id}/data` then pages through. Activity exports (activity-exports.ts) are
 * built from the same pieces.
 */
import { NAME_RULE, failureCollector, objectBody, readSyncActions } from '../definitions.js'
import { describeValue, validationError } from '../errors.js'
import type { EntityRecord } from '../entities.js'
import type { Entity, FieldInfo } from '../statements.js'
import { compileFilter, parseFilter, type FilterColumn, type FilterNode, type FilterSyntaxError } from '../filters.js'
import { actionLine, applyEffects, summaryLine, type LogLine, type RecordEffect } from '../sync-engine.js'
import { eloquaTimestamp, exportedDate } from '../clock.js'
import { RejectList } from '../sync-engine.js'
import type { JsonRows } from '../export-json.js'
import { durationMs, readBoolean, readDuration, HOUR_MS, DAY_MS } from './imports.js'
import { definitionTail, type Definition, type DefinitionBody, type DefinitionKind, type KindScope, type ProcessInput, type ProcessOutcome } from './kind.js'

/** Every property of an export definition (imports-exports §3.1) the mock keeps; absent optional ones are not echoed. */
export interface ExportBody extends DefinitionBody {
  filter?: string
  maxRecords?: number
  dataRetentionDuration: string
  areSystemTimestampsInUTC: boolean
  autoDeleteDuration?: string
  crmAccountIdField?: string
  externalSystemId?: number
}

export type ExportDefinition = Definition<ExportBody>

/** Eloqua allows at most 250 fields in an export definition (imports-exports §7). */
export const MAX_EXPORT_FIELDS = 250
/** Eloqua's documented filter length (imports-exports §3.2). */
export const MAX_FILTER_LENGTH = 1000

/** The rows a sync exported: values as text, in the order of `keys`. */
export interface ExportData {
  readonly keys: readonly string[]
  readonly count: number
  /** The values of row `i` (0 ≤ i < count). */
  row: (i: number) => readonly string[]
  /** Characters of the values, for `kbUsed`. */
  readonly chars: number
  /** The rows as the JSON of data pages, written while the sync runs (export-json.ts). */
  json?: JsonRows | undefined
}

/** Rows kept as text: records change after the export, so their values are copied when it starts. */
export function materialised (keys: readonly string[], rows: ReadonlyArray<readonly string[]>, chars: number): ExportData {
  return { keys, count: rows.length, row: (i) => rows[i] as readonly string[], chars }
}

/** `{{Contact.LeadScore.Model[1].Rating}}` and its ProfileScore and EngagementScore (imports-exports §4.6). */
const LEAD_SCORE = /^contact\.leadscore\.model\[([1-9][0-9]{0,9})\]\.(rating|profilescore|engagementscore)$/
const SCORE_PARTS = { rating: 'rating', profilescore: 'profileScore', engagementscore: 'engagementScore' } as const

/**
 * What a statement reads from a record in an export: a field, the Id or ExternalId, the creation
 * or last change time, a field of the linked contact (custom objects) or account (contacts), or a
 * lead score (contacts).
 */
function columnOf (statement: string, scope: KindScope): FilterColumn | undefined {
  const target = scope.catalogue.resolve(statement)
  if (target?.kind === 'id') return { read: (record) => String(record.id), type: 'number' }
  if (target?.kind === 'externalId') return { read: (record) => record.externalId ?? '', type: 'text' }
  if (target?.kind === 'field') return fieldColumn(target.field, (record) => record)
  const inner = statement.startsWith('{{') && statement.endsWith('}}') ? statement.slice(2, -2).toLowerCase() : ''
  const prefix = scope.catalogue.idStatement().slice(2, -4).toLowerCase()
  if (inner === `${prefix}createdat`) return { read: (record) => exportedDate(record.createdAt), time: (record) => record.createdAt, type: 'date' }
  if (inner === `${prefix}updatedat`) return { read: (record) => exportedDate(record.updatedAt), time: (record) => record.updatedAt, type: 'date' }
  const link = scope.catalogue.entity === 'customObjects' ? 'contacts' : scope.catalogue.entity === 'contacts' ? 'accounts' : undefined
  const linkPrefix = `${prefix}${link === 'contacts' ? 'contact' : 'account'}.`
  if (link !== undefined && inner.startsWith(linkPrefix)) {
    const other = scope.related(link)
    const field = other.catalogue.resolve(`{{${link === 'contacts' ? 'contact' : 'account'}.${statement.slice(2, -2).slice(linkPrefix.length)}}}`)
    if (field?.kind !== 'field') return undefined
    const linked = link === 'contacts' ? (record: EntityRecord) => record.contactId : (record: EntityRecord) => record.accountId
    // Links name records of the same site, which are never deleted.
    return fieldColumn(field.field, (record) => { const id = linked(record); return id === undefined ? undefined : other.table.get(id) })
  }
  const score = scope.catalogue.entity === 'contacts' ? LEAD_SCORE.exec(inner) : null
  const scores = score === null ? undefined : scope.leadScores(Number(score[1]))
  if (score !== null && scores !== undefined) {
    const part = SCORE_PARTS[score[2] as keyof typeof SCORE_PARTS]
    return { read: (record) => String(scores.get(record.id)?.[part] ?? ''), type: part === 'rating' ? 'text' : 'number' }
  }
  return undefined
}

/** A field of the record (or of the record it links to), compared by its data type in filters. */
function fieldColumn (field: FieldInfo, of: (record: EntityRecord) => EntityRecord | undefined): FilterColumn {
  const name = field.internalName
  const type = field.dataType === 'date' ? 'date' : field.dataType === 'number' ? 'number' : 'text'
  return { read: (record) => of(record)?.fieldValues[name] ?? '', type }
}

/** A filter checked and compiled against the scope's entity. */
function compiled (filter: FilterNode, scope: KindScope): ReturnType<typeof compileFilter<EntityRecord>> {
  return compileFilter(filter, { column: (statement) => columnOf(statement, scope), container: scope.container, destinations: (record) => record.destinations })
}

/** What differs between exports of records and exports of activities when a definition is read. */
export interface ExportRules {
  /** Whether a statement names something the export can read. */
  readonly resolves: (statement: string, scope: KindScope) => boolean
  /** Problems of the fields taken together. */
  readonly fieldProblems: (fields: Readonly<Record<string, string>>) => string[]
  /** Problems that keep a parsed filter from running. */
  readonly filterProblems: (filter: FilterNode | undefined, scope: KindScope) => string[]
  readonly takesSyncActions: boolean
}

const RECORD_RULES: ExportRules = {
  resolves: (statement, scope) => columnOf(statement, scope) !== undefined,
  fieldProblems: () => [],
  filterProblems: (filter, scope) => filter === undefined ? [] : compiled(filter, scope).problems,
  takesSyncActions: true
}

function readExport (body: unknown, scope: KindScope, rules: ExportRules): ExportBody {
  const input = objectBody(body)
  const { failures, fail } = failureCollector()
  const { name, fields } = input
  if (typeof name !== 'string' || name.trim() === '' || name.length > 100) fail('name', NAME_RULE, name)
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields) || Object.keys(fields).length === 0) {
    fail('fields', `Must be an object of 1 to ${MAX_EXPORT_FIELDS} fields, each key mapped to a statement such as ${scope.catalogue.idStatement()}.`, fields)
  } else if (Object.keys(fields).length > MAX_EXPORT_FIELDS) {
    fail('fields', `Must contain at most ${MAX_EXPORT_FIELDS} fields.`, `${Object.keys(fields).length} fields`)
  } else {
    for (const [key, statement] of Object.entries(fields as Record<string, unknown>)) {
      if (key === '' || key.length > 100) fail('fields', 'Each key must be at least 1 character and at most 100 characters long.', key)
      else if (typeof statement !== 'string' || !rules.resolves(statement, scope)) {
        failures.push({ field: key, stackTrace: [{ field: 'fields' }], value: describeValue(statement), constraint: 'Must be a reference to an existing object.' })
      }
    }
    if (failures.length === 0) for (const problem of rules.fieldProblems(fields as Record<string, string>)) fail('fields', problem, `${Object.keys(fields).length} fields`)
  }
  const filter = input.filter ?? undefined
  if (filter !== undefined && (typeof filter !== 'string' || filter.length > MAX_FILTER_LENGTH)) {
    fail('filter', `Must be a string of at most ${MAX_FILTER_LENGTH} characters.`, filter)
  } else {
    try {
      const tree = typeof filter === 'string' && filter.trim() !== '' ? parseFilter(filter) : undefined
      for (const problem of rules.filterProblems(tree, scope)) fail('filter', problem, filter)
    } catch (err) {
      // parseFilter throws only FilterSyntaxError.
      const { offset, message } = err as FilterSyntaxError
      fail('filter', `Must be a valid filter: ${message} at character ${offset + 1}.`, filter)
    }
  }
  const maxRecords = input.maxRecords ?? undefined
  if (maxRecords !== undefined && (!Number.isSafeInteger(maxRecords) || (maxRecords as number) < 1)) fail('maxRecords', 'Must be a positive integer.', maxRecords)
  const areSystemTimestampsInUTC = readBoolean(input, 'areSystemTimestampsInUTC', fail)
  const dataRetentionDuration = readDuration(input, 'dataRetentionDuration', HOUR_MS, 14 * DAY_MS, 'Must be an ISO 8601 duration from PT1H to P14D.', fail)
  const autoDeleteDuration = readDuration(input, 'autoDeleteDuration', HOUR_MS, Number.MAX_SAFE_INTEGER, 'Must be an ISO 8601 duration of at least PT1H.', fail)
  let syncActions = (input.syncActions ?? undefined) === undefined ? undefined : readSyncActions(input.syncActions, 0, fail)
  if (!rules.takesSyncActions && syncActions !== undefined && syncActions.length > 0) fail('syncActions', 'Must be empty: activity exports take no sync actions.', input.syncActions)
  if (!rules.takesSyncActions) syncActions = undefined
  const externalSystemId = input.externalSystemId ?? undefined
  if (externalSystemId !== undefined && !Number.isSafeInteger(externalSystemId)) fail('externalSystemId', 'Must be an integer.', externalSystemId)
  const crmAccountIdField = input.crmAccountIdField ?? undefined
  if (crmAccountIdField !== undefined && (typeof crmAccountIdField !== 'string' || scope.catalogue.resolve(crmAccountIdField)?.kind !== 'field')) {
    fail('crmAccountIdField', 'Must be a field statement of this entity.', crmAccountIdField)
  }
  if (failures.length > 0) throw validationError(failures)
  const read: ExportBody = {
    name: name as string,
    fields: fields as Record<string, string>,
    // Exports have no identifier and take no uploads.
    identifierFieldName: '',
    isSyncTriggeredOnImport: false,
    dataRetentionDuration: dataRetentionDuration ?? scope.exportRetentionDefault,
    areSystemTimestampsInUTC: areSystemTimestampsInUTC ?? false
  }
  const optional: Record<string, unknown> = { filter, maxRecords, autoDeleteDuration, syncActions, crmAccountIdField, externalSystemId }
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (read as unknown as Record<string, unknown>)[key] = value
  return read
}

/** An export definition as the API returns it, in the key order of Eloqua's recorded answer (real-responses §2b). */
export function exportView (definition: ExportDefinition): object {
  const { body } = definition
  return {
    name: body.name,
    fields: body.fields,
    filter: body.filter,
    maxRecords: body.maxRecords,
    areSystemTimestampsInUTC: body.areSystemTimestampsInUTC,
    dataRetentionDuration: body.dataRetentionDuration,
    autoDeleteDuration: body.autoDeleteDuration,
    crmAccountIdField: body.crmAccountIdField,
    externalSystemId: body.externalSystemId,
    syncActions: body.syncActions,
    ...definitionTail(definition)
  }
}

/** What an export sync took when it was created: its rows, and the records they came from (for sync actions). */
export interface Snapshot { data: ExportData, exported: readonly EntityRecord[] }

/** The rows a sync's `prepared` holds, if it is an export's snapshot (other kinds prepare nothing). */
export function snapshotRows (prepared: unknown): ExportData | undefined {
  return (prepared as Snapshot | undefined)?.data
}

/** The rows an export takes: its records that pass the filter, at most maxRecords, as text. */
function snapshot (body: ExportBody, scope: KindScope): Snapshot {
  const keys = Object.keys(body.fields)
  // `read` resolved every statement, and catalogues are fixed for the life of the mock.
  const columns = Object.values(body.fields).map((statement) => (columnOf(statement, scope) as FilterColumn).read)
  // Compiled once per sync; `read` checked that it parses and compiles.
  const keep = body.filter === undefined || body.filter.trim() === '' ? () => true : compiled(parseFilter(body.filter), scope).predicate
  const limit = body.maxRecords ?? Infinity
  const rows: string[][] = []
  const exported: EntityRecord[] = []
  let chars = 0
  for (const record of scope.table.records()) {
    if (rows.length >= limit) break
    if (!keep(record)) continue
    const row = columns.map((column) => column(record))
    for (const value of row) chars += value.length
    rows.push(row)
    exported.push(record)
  }
  return { data: materialised(keys, rows, chars), exported }
}

/** What an export sync logs and does when it ends: Eloqua's export log lines, then the sync actions on the exported records. */
function processExport (input: ProcessInput<ExportBody>): ProcessOutcome {
  const { body } = input
  const { data, exported } = input.prepared as Snapshot
  const logs: LogLine[] = [
    { count: data.count, severity: 'information', statusCode: 'ELQ-00102', message: 'Successfully exported members to csv file.' },
    { count: 0, severity: 'information', statusCode: 'ELQ-00131', message: 'Deleted internal staging for data transfer.' },
    { count: 0, severity: 'information', statusCode: 'ELQ-00106', message: `Successfully converted csv file to sqlite, taking ${Math.ceil(data.chars / 1024)} kb.` }
  ]
  const effects: RecordEffect[] = []
  for (const action of body.syncActions ?? []) {
    logs.push(actionLine(action, exported.length))
    for (const record of exported) effects.push({ record, action })
  }
  applyEffects(effects, input.syncUri, eloquaTimestamp(input.endedAt))
  logs.push(summaryLine(input.syncId, 'success'))
  return { status: 'success', logs, rejects: new RejectList('', 0), data }
}

/** An export kind: its entity, how its definitions are read, and how a sync takes its rows. */
export function exportKind (entity: Entity | 'activities', rules: ExportRules = RECORD_RULES, prepare: (body: ExportBody, scope: KindScope) => Snapshot = snapshot): DefinitionKind<ExportBody> {
  return {
    family: 'exports',
    entity,
    productType: 'Export',
    uri: (id, parentId) => entity === 'customObjects' ? `/customObjects/${String(parentId)}/exports/${id}` : `/${entity}/exports/${id}`,
    read: (body, scope) => readExport(body, scope, rules),
    view: exportView,
    lifetimes: (body) => ({ stagedMs: Infinity, definitionMs: body.autoDeleteDuration === undefined ? undefined : durationMs(body.autoDeleteDuration), dataMs: durationMs(body.dataRetentionDuration) as number }),
    // The rows are taken when the sync is created, as Eloqua evaluates the filter when the export starts.
    prepare,
    process: processExport
  }
}

export const contactExports = exportKind('contacts')
export const accountExports = exportKind('accounts')
export const customObjectExports = exportKind('customObjects')
