/**
 * Import definitions of contacts, accounts and custom objects (imports-exports §2, §5): a map of
 * keys to field statements, an identifier key, update rules; a sync upserts the staged rows into
 * the entity's records (see import-engine.ts).
 */
import { eloquaTimestamp } from '../clock.js'
import { NAME_RULE, failureCollector, objectBody, readSyncActions, type Fail } from '../definitions.js'
import { describeValue, validationError } from '../errors.js'
import { IMPORT_RULES, UPDATE_RULES, processImport, type DataCardLink, type ImportRule, type MappedKey, type UpdateRule } from '../import-engine.js'
import { applyEffects } from '../sync-engine.js'
import type { Entity, FieldCatalogue, Target } from '../statements.js'
import { definitionHead, definitionTail, type Definition, type DefinitionBody, type DefinitionKind, type KindScope } from './kind.js'

/** Every property of an import definition (imports-exports §2.1) the mock keeps; absent ones are not echoed. */
export interface ImportBody extends DefinitionBody {
  dataRetentionDuration: string
  isUpdatingMultipleMatchedRecords: boolean
  updateRule?: UpdateRule
  updateRuleByField?: Record<string, UpdateRule>
  importRule?: ImportRule
  nullIdentifierFieldName?: boolean
  autoDeleteDuration?: string
  importPriorityUri?: string
  externalSystemId?: number
  linkUsers?: boolean
  mapDataCards?: boolean
  mapDataCardsEntityType?: 'Contact' | 'Company'
  mapDataCardsEntityField?: string
  mapDataCardsSourceField?: string
  mapDataCardsCaseSensitiveMatch?: boolean
}

export type ImportDefinition = Definition<ImportBody>

/** Eloqua allows at most 100 fields in an import definition (imports-exports §7). */
export const MAX_IMPORT_FIELDS = 100
/** With linkUsers, an account import maps one of these CRM user ids (imports-exports §2.1). */
const LINK_USER_FIELDS = ['CRMOSCUserId', 'CRMSfdcUserId', 'CRMMSDUserId', 'CRMSODUserId']
export const HOUR_MS = 3_600_000
export const DAY_MS = 24 * HOUR_MS

/**
 * An ISO 8601 duration of weeks, days, hours, minutes and seconds (`P7D`, `PT12H`, `P1DT6H`) in
 * milliseconds; years and months have no fixed length and are refused. Read by position.
 */
export function durationMs (text: string): number | undefined {
  if (text.length < 3 || text.length > 40 || text[0] !== 'P') return undefined
  const units: Record<string, number> = { W: 7 * DAY_MS, D: DAY_MS }
  const timeUnits: Record<string, number> = { H: HOUR_MS, M: 60_000, S: 1000 }
  let total = 0
  let digits = ''
  let inTime = false
  let parts = 0
  let partsBeforeTime = 0
  for (const c of text.slice(1)) {
    if (c >= '0' && c <= '9') {
      digits += c
    } else if (c === 'T' && !inTime && digits === '') {
      inTime = true
      partsBeforeTime = parts
    } else {
      const unit = (inTime ? timeUnits : units)[c]
      if (unit === undefined || digits === '') return undefined
      total += Number(digits) * unit
      digits = ''
      parts++
    }
  }
  // A T must be followed by at least one part (P1DT is not a duration).
  return digits === '' && parts > (inTime ? partsBeforeTime : 0) ? total : undefined
}

function sameTarget (a: Target, b: Target): boolean {
  return a.kind === 'field' && b.kind === 'field' ? a.field === b.field : a.kind === b.kind
}

const BOOLEAN_TEXT: Readonly<Record<string, boolean>> = { true: true, false: false }

/** A boolean, or `"true"`/`"false"` as Oracle's own mapDataCards example sends them (imports-exports §2.2). */
export function readBoolean (input: Record<string, unknown>, key: string, fail: Fail): boolean | undefined {
  const value = input[key] ?? undefined
  if (value === undefined || typeof value === 'boolean') return value
  const parsed = typeof value === 'string' ? BOOLEAN_TEXT[value.toLowerCase()] : undefined
  if (parsed === undefined) fail(key, 'Must be a boolean value.', value)
  return parsed
}

export function readDuration (input: Record<string, unknown>, key: string, minMs: number, maxMs: number, rule: string, fail: Fail): string | undefined {
  const value = input[key] ?? undefined
  if (value === undefined) return undefined
  const ms = typeof value === 'string' ? durationMs(value) : undefined
  if (ms === undefined || ms < minMs || ms > maxMs) {
    fail(key, rule, value)
    return undefined
  }
  return value as string
}

function readImport (entity: Entity, body: unknown, scope: KindScope): ImportBody {
  const input = objectBody(body)
  const { failures, fail } = failureCollector()
  const { catalogue } = scope
  const { name, fields, identifierFieldName } = input

  if (typeof name !== 'string' || name.trim() === '' || name.length > 100) fail('name', NAME_RULE, name)

  const mapped: MappedKey[] = []
  const fieldKeys = new Set<string>()
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields) || Object.keys(fields).length === 0) {
    fail('fields', `Must be an object of 1 to ${MAX_IMPORT_FIELDS} fields, each key mapped to a field statement such as ${example(catalogue)}.`, fields)
  } else if (Object.keys(fields).length > MAX_IMPORT_FIELDS) {
    fail('fields', `Must contain at most ${MAX_IMPORT_FIELDS} fields.`, `${Object.keys(fields).length} fields`)
  } else {
    for (const [key, statement] of Object.entries(fields as Record<string, unknown>)) {
      fieldKeys.add(key)
      const target = typeof statement === 'string' ? catalogue.resolve(statement) : undefined
      if (key === '' || key.length > 100) fail('fields', 'Each key must be at least 1 character and at most 100 characters long.', key)
      // Eloqua's own answer carries a stackTrace naming the property (real-responses §7b).
      else if (target === undefined) failures.push({ field: key, stackTrace: [{ field: 'fields' }], value: describeValue(statement), constraint: 'Must be a reference to an existing object.' })
      else if (mapped.some((m) => sameTarget(m.target, target))) fail(key, 'Must not name a field that another key of fields names.', statement)
      else mapped.push({ key, target })
    }
  }

  if (typeof identifierFieldName !== 'string' || identifierFieldName === '' || identifierFieldName.length > 100) {
    fail('identifierFieldName', NAME_RULE, identifierFieldName)
  } else if (fields !== null && typeof fields === 'object' && !Array.isArray(fields) && !Object.hasOwn(fields, identifierFieldName)) {
    fail('identifierFieldName', 'Must be contained within fields.', identifierFieldName)
  } else {
    const target = mapped.find((m) => m.key === identifierFieldName)?.target
    if (target?.kind === 'field' && (target.field.dataType === 'date' || target.field.dataType === 'boolean')) {
      fail('identifierFieldName', 'Must not name a date, boolean or large text field.', identifierFieldName)
    }
  }

  const isSyncTriggeredOnImport = readBoolean(input, 'isSyncTriggeredOnImport', fail)
  const isUpdatingMultipleMatchedRecords = readBoolean(input, 'isUpdatingMultipleMatchedRecords', fail)
  const nullIdentifierFieldName = readBoolean(input, 'nullIdentifierFieldName', fail)
  const dataRetentionDuration = readDuration(input, 'dataRetentionDuration', HOUR_MS, 14 * DAY_MS, 'Must be an ISO 8601 duration from PT1H to P14D.', fail)
  const autoDeleteDuration = readDuration(input, 'autoDeleteDuration', HOUR_MS, Number.MAX_SAFE_INTEGER, 'Must be an ISO 8601 duration of at least PT1H.', fail)

  const updateRule = input.updateRule ?? undefined
  if (updateRule !== undefined && !UPDATE_RULES.includes(updateRule as UpdateRule)) fail('updateRule', `Must be one of ${UPDATE_RULES.join(', ')}.`, updateRule)
  const updateRuleByField = input.updateRuleByField ?? undefined
  if (updateRuleByField !== undefined) {
    if (typeof updateRuleByField !== 'object' || Array.isArray(updateRuleByField)) {
      fail('updateRuleByField', 'Must be an object of field keys to update rules.', updateRuleByField)
    } else if (Object.keys(updateRuleByField).length > MAX_IMPORT_FIELDS) {
      fail('updateRuleByField', `Must contain at most ${MAX_IMPORT_FIELDS} keys, each a key of fields.`, `${Object.keys(updateRuleByField).length} keys`)
    } else {
      for (const [key, rule] of Object.entries(updateRuleByField as Record<string, unknown>)) {
        if (!fieldKeys.has(key)) fail(`updateRuleByField.${key}`, 'Must be a key of fields.', key)
        else if (!UPDATE_RULES.includes(rule as UpdateRule)) fail(`updateRuleByField.${key}`, `Must be one of ${UPDATE_RULES.join(', ')}.`, rule)
      }
    }
  }
  const importRule = entity === 'customObjects' ? undefined : input.importRule ?? undefined
  if (importRule !== undefined && !IMPORT_RULES.includes(importRule as ImportRule)) fail('importRule', `Must be one of ${IMPORT_RULES.join(', ')}.`, importRule)
  const importPriorityUri = input.importPriorityUri ?? undefined
  if (importPriorityUri !== undefined && (typeof importPriorityUri !== 'string' || importPriorityUri.length > 100 || !/^\/imports\/priorities\/[1-9]\d{0,14}$/.test(importPriorityUri))) {
    fail('importPriorityUri', 'Must be the uri of an import priority, e.g. /imports/priorities/1.', importPriorityUri)
  }
  const externalSystemId = input.externalSystemId ?? undefined
  if (externalSystemId !== undefined && !Number.isSafeInteger(externalSystemId)) fail('externalSystemId', 'Must be an integer.', externalSystemId)
  const syncActions = (input.syncActions ?? undefined) === undefined ? undefined : readSyncActions(input.syncActions, 0, fail)
  const linkUsers = entity === 'accounts' ? readBoolean(input, 'linkUsers', fail) : undefined
  if (linkUsers === true && !mapped.some((m) => m.target.kind === 'field' && LINK_USER_FIELDS.includes(m.target.field.internalName))) {
    fail('fields', `Must include one of ${LINK_USER_FIELDS.join(', ')} when linkUsers is true.`)
  }

  const dataCards = entity === 'customObjects' ? readDataCards(input, fieldKeys, scope, fail) : {}

  if (failures.length > 0) throw validationError(failures)
  const read: ImportBody = {
    name: name as string,
    fields: fields as Record<string, string>,
    identifierFieldName: identifierFieldName as string,
    isSyncTriggeredOnImport: isSyncTriggeredOnImport ?? scope.importSyncDefault,
    dataRetentionDuration: dataRetentionDuration ?? 'P7D',
    isUpdatingMultipleMatchedRecords: isUpdatingMultipleMatchedRecords ?? false
  }
  const optional: Record<string, unknown> = {
    updateRule: updateRule as UpdateRule | undefined,
    updateRuleByField: updateRuleByField as Record<string, UpdateRule> | undefined,
    importRule: importRule as ImportRule | undefined,
    nullIdentifierFieldName,
    autoDeleteDuration,
    importPriorityUri: importPriorityUri as string | undefined,
    externalSystemId: externalSystemId as number | undefined,
    linkUsers,
    ...dataCards,
    syncActions
  }
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (read as unknown as Record<string, unknown>)[key] = value
  return read
}

type DataCards = Pick<ImportBody, 'mapDataCards' | 'mapDataCardsEntityType' | 'mapDataCardsEntityField' | 'mapDataCardsSourceField' | 'mapDataCardsCaseSensitiveMatch'>

/** mapDataCards: when on, the entity type, a field of that entity, and a source key of `fields` are required. */
function readDataCards (input: Record<string, unknown>, fieldKeys: ReadonlySet<string>, scope: KindScope, fail: Fail): Record<keyof DataCards, unknown> {
  const mapDataCards = readBoolean(input, 'mapDataCards', fail)
  const mapDataCardsCaseSensitiveMatch = readBoolean(input, 'mapDataCardsCaseSensitiveMatch', fail)
  const type = input.mapDataCardsEntityType ?? undefined
  const field = input.mapDataCardsEntityField ?? undefined
  const source = input.mapDataCardsSourceField ?? undefined
  if (type !== undefined && type !== 'Contact' && type !== 'Company') fail('mapDataCardsEntityType', 'Must be Contact or Company.', type)
  if (mapDataCards === true) {
    if (type === undefined) fail('mapDataCardsEntityType', 'Is required when mapDataCards is true: Contact or Company.')
    if (field === undefined) fail('mapDataCardsEntityField', 'Is required when mapDataCards is true, e.g. {{Contact.Field(C_EmailAddress)}}.')
    if (source === undefined) fail('mapDataCardsSourceField', 'Is required when mapDataCards is true: the key of fields whose value is matched.')
  }
  if (field !== undefined && (type === 'Contact' || type === 'Company')) {
    const { catalogue } = scope.related(type === 'Contact' ? 'contacts' : 'accounts')
    const target = typeof field === 'string' ? catalogue.resolve(field) : undefined
    if (target?.kind !== 'field') fail('mapDataCardsEntityField', `Must be a field statement of a ${type === 'Contact' ? 'contact' : 'account'}, e.g. ${example(catalogue)}.`, field)
  }
  if (source !== undefined && (typeof source !== 'string' || !fieldKeys.has(source))) fail('mapDataCardsSourceField', 'Must be a key of fields.', source)
  return {
    mapDataCards,
    mapDataCardsEntityType: type as DataCards['mapDataCardsEntityType'],
    mapDataCardsEntityField: field as string | undefined,
    mapDataCardsSourceField: source as string | undefined,
    mapDataCardsCaseSensitiveMatch
  }
}

/** A statement of the catalogue for failure texts: its first field, or the record Id when it has none. */
function example (catalogue: FieldCatalogue): string {
  const [first] = catalogue.fields
  return first === undefined ? catalogue.idStatement() : catalogue.statementOf(first)
}

/** An import definition as the API returns it, in the key order of Eloqua's recorded answers (imports-exports §2.3). */
export function importView (definition: ImportDefinition): object {
  const { body } = definition
  return {
    ...definitionHead(body),
    dataRetentionDuration: body.dataRetentionDuration,
    isUpdatingMultipleMatchedRecords: body.isUpdatingMultipleMatchedRecords,
    updateRule: body.updateRule,
    updateRuleByField: body.updateRuleByField,
    importRule: body.importRule,
    nullIdentifierFieldName: body.nullIdentifierFieldName,
    autoDeleteDuration: body.autoDeleteDuration,
    importPriorityUri: body.importPriorityUri,
    externalSystemId: body.externalSystemId,
    linkUsers: body.linkUsers,
    mapDataCards: body.mapDataCards,
    mapDataCardsEntityType: body.mapDataCardsEntityType,
    mapDataCardsEntityField: body.mapDataCardsEntityField,
    mapDataCardsSourceField: body.mapDataCardsSourceField,
    mapDataCardsCaseSensitiveMatch: body.mapDataCardsCaseSensitiveMatch,
    syncActions: body.syncActions,
    ...definitionTail(definition)
  }
}

function importKind (entity: Entity): DefinitionKind<ImportBody> {
  return {
    family: 'imports',
    entity,
    productType: 'Import',
    uri: (id, parentId) => entity === 'customObjects' ? `/customObjects/${String(parentId)}/imports/${id}` : `/${entity}/imports/${id}`,
    read: (body, scope) => readImport(entity, body, scope),
    view: importView,
    // `read` checked both durations.
    lifetimes: (body) => ({
      stagedMs: durationMs(body.dataRetentionDuration) as number,
      definitionMs: body.autoDeleteDuration === undefined ? undefined : durationMs(body.autoDeleteDuration)
    }),
    process: (input, scope) => {
      const { body } = input
      // Catalogues are fixed for the life of the mock, and `read` resolved every statement.
      const keys: MappedKey[] = Object.entries(body.fields).map(([key, statement]) => ({ key, target: scope.catalogue.resolve(statement) as Target }))
      const outcome = processImport({
        syncId: input.syncId,
        entity,
        keys,
        identifierFieldName: body.identifierFieldName,
        updateRule: body.updateRule === undefined || body.updateRule === 'useFieldRule' ? 'always' : body.updateRule,
        updateRuleByField: body.updateRuleByField ?? {},
        isUpdatingMultipleMatchedRecords: body.isUpdatingMultipleMatchedRecords,
        importRule: body.importRule ?? 'createAndUpdate',
        notNullFields: scope.catalogue.fields.filter((f) => f.notNull),
        link: dataCardLink(body, scope),
        syncActions: body.syncActions ?? [],
        uploads: input.uploads,
        table: scope.table,
        maxRejects: input.maxRejects,
        at: input.endedAt,
        derive: scope.derive
      })
      applyEffects(outcome.effects, input.syncUri, eloquaTimestamp(input.endedAt))
      return { status: outcome.status, logs: outcome.logs, rejects: outcome.rejects }
    }
  }
}

function dataCardLink (body: ImportBody, scope: KindScope): DataCardLink | undefined {
  if (body.mapDataCards !== true || body.mapDataCardsEntityField === undefined || body.mapDataCardsSourceField === undefined) return undefined
  const entity = body.mapDataCardsEntityType === 'Company' ? 'accounts' : 'contacts'
  const { catalogue, table } = scope.related(entity)
  // `read` checked that it names a field of that entity.
  const target = catalogue.resolve(body.mapDataCardsEntityField) as Extract<Target, { kind: 'field' }>
  return { sourceKey: body.mapDataCardsSourceField, entity: entity === 'contacts' ? 'contact' : 'account', table, field: target.field, caseSensitive: body.mapDataCardsCaseSensitiveMatch ?? false }
}

export const contactImports = importKind('contacts')
export const accountImports = importKind('accounts')
export const customObjectImports = importKind('customObjects')
