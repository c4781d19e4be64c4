/**
 * Activity exports (imports-exports §3, §4.5, §6): one activity type per export, named by the
 * filter's `'{{Activity.Type}}' = '<type>'`; fields are activity fields and at most 10 fields of
 * the activity's contact, which the filter may not use (but for SMS types, since 24C); at most
 * 5,000,000 rows per sync; no sync actions. A sync keeps the indices of the rows it took, not
 * their values: activities never change, so rows are read again when they are written. Only
 * contact fields, which imports change, are copied when the sync starts.
 */
import { ACTIVITY_FIELDS, ACTIVITY_TYPES, type ActivityField, type ActivityType } from '../activities.js'
import { blank, type ActivitySegment } from '../activity-log.js'
import { compileFilter, parseFilter, type FilterColumn, type FilterNode } from '../filters.js'
import type { FieldInfo } from '../statements.js'
import { exportKind, type ExportBody, type ExportRules, type Snapshot } from './exports.js'
import type { KindScope } from './kind.js'

/** Eloqua's limits for activity exports (imports-exports §7). */
export const MAX_ACTIVITY_CONTACT_FIELDS = 10
export const MAX_ACTIVITY_EXPORT_ROWS = 5_000_000
/** Exports of more rows than this estimate their size (`kbUsed`) from this many: reading them all would take seconds. */
const SIZE_SAMPLE_ROWS = 10_000

const BY_STATEMENT = new Map(ACTIVITY_FIELDS.map((f) => [f.statement.toLowerCase(), f]))
const CONTACT_FIELD = '{{activity.contact.field('
const TYPE_STATEMENT = '{{activity.type}}'

type ActivityColumn = { kind: 'activity', field: ActivityField } | { kind: 'contact', field: FieldInfo }

/** What a statement of an activity export reads: an activity field, or a field of the activity's contact. */
function activityColumn (statement: string, scope: KindScope): ActivityColumn | undefined {
  const lower = statement.toLowerCase()
  if (lower.startsWith(CONTACT_FIELD) && lower.endsWith(')}}')) {
    const field = scope.related('contacts').catalogue.byName(statement.slice(CONTACT_FIELD.length, -3))
    if (field !== undefined) return { kind: 'contact', field }
  }
  const field = BY_STATEMENT.get(lower)
  return field === undefined ? undefined : { kind: 'activity', field }
}

function conjuncts (node: FilterNode): FilterNode[] {
  return node.kind === 'and' ? [...conjuncts(node.left), ...conjuncts(node.right)] : [node]
}

/** Comparisons anywhere in the filter. */
function comparisons (node: FilterNode): Array<Extract<FilterNode, { kind: 'compare' }>> {
  switch (node.kind) {
    case 'and': case 'or': return [...comparisons(node.left), ...comparisons(node.right)]
    case 'not': return comparisons(node.operand)
    case 'compare': return [node]
    default: return []
  }
}

const NAME_ONE_TYPE = `Must name one activity type, as in '{{Activity.Type}}' = 'EmailOpen' AND ...; the types are ${ACTIVITY_TYPES.join(', ')}.`

/** The one activity type a filter requires (`'{{Activity.Type}}' = 'X'` joined by AND to the rest), or what is wrong. */
function activityTypeOf (filter: FilterNode | undefined): { type?: ActivityType, problems: string[] } {
  const named = filter === undefined ? [] : conjuncts(filter).flatMap((n) => n.kind === 'compare' && n.op === '=' && n.statement.toLowerCase() === TYPE_STATEMENT ? [n.value] : [])
  const distinct = [...new Set(named.map((value) => value.toLowerCase()))]
  if (distinct.length !== 1) return { problems: [NAME_ONE_TYPE] }
  const type = ACTIVITY_TYPES.find((t) => t.toLowerCase() === distinct[0])
  return type === undefined ? { problems: [`${JSON.stringify(named[0])} is not an activity type; the types are ${ACTIVITY_TYPES.join(', ')}.`] } : { type, problems: [] }
}

function filterType (dataType: string): FilterColumn['type'] {
  return dataType === 'date' ? 'date' : dataType === 'number' ? 'number' : 'text'
}

/** SMS activity exports may filter on contact fields (24C); the others may not. */
const SMS_TYPES: ReadonlySet<ActivityType> = new Set(['SmsSend', 'SmsReply', 'SmsClickthrough'])

/** The filter compiled over the rows of one segment (rows by index); without one, only checked. */
function compileOver (filter: FilterNode, scope: KindScope, segment: ActivitySegment | undefined): ReturnType<typeof compileFilter<number>> {
  const contacts = scope.related('contacts').table
  return compileFilter<number>(filter, {
    column: (statement) => {
      const column = activityColumn(statement, scope)
      if (column === undefined) return undefined
      if (column.kind === 'contact') {
        const name = column.field.internalName
        const read = segment === undefined
          ? blank
          : (row: number): string => {
              const id = segment.contactId(row)
              return id === undefined ? '' : contacts.get(id)?.fieldValues[name] ?? ''
            }
        return { read, type: filterType(column.field.dataType) }
      }
      const { internalName, dataType } = column.field
      const read = segment === undefined ? blank : segment.reader(internalName)
      return internalName === 'ActivityDate' && segment !== undefined
        ? { read, type: 'date', time: segment.createdAt }
        : { read, type: filterType(dataType) }
    },
    container: () => undefined
  })
}

const ACTIVITY_RULES: ExportRules = {
  resolves: (statement, scope) => activityColumn(statement, scope) !== undefined,
  fieldProblems: (fields) => {
    const contactFields = Object.values(fields).filter((statement) => statement.toLowerCase().startsWith(CONTACT_FIELD)).length
    return contactFields > MAX_ACTIVITY_CONTACT_FIELDS ? [`Must contain at most ${MAX_ACTIVITY_CONTACT_FIELDS} contact fields in an activity export; it has ${contactFields}.`] : []
  },
  filterProblems: (filter, scope) => {
    const { type, problems } = activityTypeOf(filter)
    if (filter === undefined) return problems
    for (const { statement } of comparisons(filter)) {
      if (activityColumn(statement, scope)?.kind === 'contact' && (type === undefined || !SMS_TYPES.has(type))) {
        problems.push(`${statement}: activity exports may not filter on contact fields (SMS activity exports may).`)
      }
    }
    return [...problems, ...compileOver(filter, scope, undefined).problems]
  },
  takesSyncActions: false
}

/** The rows an activity export takes: those of its type that pass the filter, at most maxRecords and 5,000,000. */
function activitySnapshot (body: ExportBody, scope: KindScope): Snapshot {
  const keys = Object.keys(body.fields)
  // `read` checked every statement and the filter, which names one type.
  const columns = Object.values(body.fields).map((statement) => activityColumn(statement, scope) as ActivityColumn)
  const filter = parseFilter(body.filter as string)
  const type = activityTypeOf(filter).type as ActivityType
  const limit = Math.min(body.maxRecords ?? Infinity, MAX_ACTIVITY_EXPORT_ROWS)
  const contacts = scope.related('contacts').table
  const contactFields = columns.flatMap((c) => c.kind === 'contact' ? [c.field.internalName] : [])
  // Contact values as they are now, once per contact: imports may change them before the rows are read.
  const contactValues = new Map<number, readonly string[]>()
  let indices = new Uint32Array(1024)
  let count = 0
  for (const segment of scope.activities.segmentsOf(type)) {
    const keep = compileOver(filter, scope, segment).predicate
    for (let row = 0; row < segment.count && count < limit; row++) {
      if (!keep(row)) continue
      if (count === indices.length) {
        const grown = new Uint32Array(Math.min(indices.length * 2, MAX_ACTIVITY_EXPORT_ROWS))
        grown.set(indices)
        indices = grown
      }
      indices[count++] = segment.start + row
      const contactId = contactFields.length === 0 ? undefined : segment.contactId(row)
      if (contactId !== undefined && !contactValues.has(contactId)) {
        const values = contacts.get(contactId)?.fieldValues
        contactValues.set(contactId, contactFields.map((name) => values?.[name] ?? ''))
      }
    }
  }
  const taken = indices.slice(0, count)
  const readersOf = new Map<ActivitySegment, Array<(row: number) => string>>()
  const readers = (segment: ActivitySegment): Array<(row: number) => string> => {
    let list = readersOf.get(segment)
    if (list === undefined) {
      let contactColumn = 0
      list = columns.map((column) => {
        if (column.kind === 'activity') return segment.reader(column.field.internalName)
        const k = contactColumn++
        return (row) => {
          const id = segment.contactId(row)
          // The snapshot read the values of every contact its rows belong to.
          return id === undefined ? '' : (contactValues.get(id) as readonly string[])[k] as string
        }
      })
      readersOf.set(segment, list)
    }
    return list
  }
  let last: ActivitySegment | undefined
  const row = (i: number): readonly string[] => {
    const index = taken[i] as number
    // Pages read rows in order, mostly from one segment.
    const segment = last !== undefined && index >= last.start && index < last.start + last.count ? last : scope.activities.segmentAt(index)
    last = segment
    return readers(segment).map((read) => read(index - segment.start))
  }
  let sampled = 0
  const sample = Math.min(count, SIZE_SAMPLE_ROWS)
  for (let i = 0; i < sample; i++) for (const value of row(i)) sampled += value.length
  const chars = sample === 0 ? 0 : Math.round(sampled * count / sample)
  return { data: { keys, count, row, chars }, exported: [] }
}

export const activityExports = exportKind('activities', ACTIVITY_RULES, activitySnapshot)
