/** Rules of sync action definitions that both fixtures and the API apply, and the sync action rules imports share. */
import { describeValue, validationError, type ValidationFailure } from './errors.js'
import { SYNC_ACTION_KINDS, SYNC_ACTION_STATUSES, type SyncAction } from '../schemas/fixtures.js'

/**
 * Path segments are ids only when they are plain decimal integers (1 to 15 digits, no leading
 * zero); anything else names no resource. A loop over the characters, not a regular expression:
 * the upload path parses two on every call.
 */
export function parseId (segment: string): number | undefined {
  const length = segment.length
  if (length === 0 || length > 15) return undefined
  for (let i = 0; i < length; i++) {
    const c = segment.charCodeAt(i)
    if (c > 0x39 || c < (i === 0 ? 0x31 : 0x30)) return undefined
  }
  return Number(segment)
}

export type SyncActionKind = typeof SYNC_ACTION_KINDS[number]
export type SyncActionStatus = typeof SYNC_ACTION_STATUSES[number]

/** What a client may set on a sync action definition; read-only fields are left out on input. */
export interface DefinitionInput {
  name: string
  fields: Record<string, string>
  identifierFieldName: string
  isSyncTriggeredOnImport: boolean
  syncActions: SyncAction[]
}

/** The identifier statements a sync action definition of one entity may name, first the usual one. */
export interface IdentifierRule {
  /** e.g. {{CustomObject[9].ExternalId}}, {{CustomObject[9].Id}} */
  readonly statements: readonly string[]
  /** The key of the example in the failure text, e.g. ExternalId. */
  readonly exampleKey: string
}

export type Fail = (field: string, constraint: string, value?: unknown) => void

/** Collects `failures` entries; `value` is described, never echoed in full. */
export function failureCollector (): { failures: ValidationFailure[], fail: Fail } {
  const failures: ValidationFailure[] = []
  const fail: Fail = (field, constraint, value) => {
    failures.push(value === undefined ? { field, constraint } : { field, value: describeValue(value), constraint })
  }
  return { failures, fail }
}

/** The body as an object, or a 400. */
export function objectBody (body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw validationError([{ field: 'body', value: describeValue(body), constraint: 'Must be a JSON object.' }])
  }
  return body as Record<string, unknown>
}

export const NAME_RULE = 'Must be a string value, at least 1 character and at most 100 characters long.'
// Eloqua destinations are markup such as {{ContactList[12345]}} or {{ActionInstance(guid).Execution[1]}}.
const DESTINATION = /^\{\{.+\}\}$/
/** Far longer than any real destination statement; keeps a definition small. */
export const MAX_DESTINATION_LENGTH = 1000

/**
 * Checks a sync action definition body the way the Bulk API documents it (eloqua-reference §6,
 * §14): every problem becomes one `failures` entry, read-only and unknown properties are ignored,
 * and `isSyncTriggeredOnImport` defaults to false.
 */
export function readDefinitionInput (body: unknown, identifiers: IdentifierRule): DefinitionInput {
  const input = objectBody(body)
  const { failures, fail } = failureCollector()
  const { name, fields, identifierFieldName, syncActions } = input
  // Clients that serialize every field send null for the optional ones they leave unset.
  const isSyncTriggeredOnImport = input.isSyncTriggeredOnImport ?? undefined
  if (typeof name !== 'string' || name.trim() === '' || name.length > 100) fail('name', NAME_RULE, name)
  const [usual = ''] = identifiers.statements
  let fieldKey: string | undefined
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields) || Object.keys(fields).length !== 1) {
    fail('fields', `Must contain only one field, e.g. {"${identifiers.exampleKey}": "${usual}"}.`, fields)
  } else {
    const [key, value] = Object.entries(fields)[0] as [string, unknown]
    fieldKey = key
    // Statements are read without case, as field catalogues read them.
    if (typeof value !== 'string' || !identifiers.statements.some((s) => s.toLowerCase() === value.toLowerCase())) {
      fail(`fields.${key}`, `Must be ${identifiers.statements.slice(0, -1).join(', ')} or ${identifiers.statements.at(-1) as string}.`, value)
    }
  }
  if (typeof identifierFieldName !== 'string' || identifierFieldName === '' || identifierFieldName.length > 100) {
    fail('identifierFieldName', NAME_RULE, identifierFieldName)
  } else if (fieldKey !== undefined && identifierFieldName !== fieldKey) {
    fail('identifierFieldName', 'Must be contained within fields.', identifierFieldName)
  }
  if (isSyncTriggeredOnImport !== undefined && typeof isSyncTriggeredOnImport !== 'boolean') {
    fail('isSyncTriggeredOnImport', 'Must be a boolean value.', isSyncTriggeredOnImport)
  }
  const actions = readSyncActions(syncActions, 1, fail)
  if (failures.length > 0) throw validationError(failures)
  return {
    name: name as string,
    fields: fields as Record<string, string>,
    identifierFieldName: identifierFieldName as string,
    isSyncTriggeredOnImport: (isSyncTriggeredOnImport as boolean | undefined) ?? false,
    syncActions: actions
  }
}

/** The `syncActions` of a definition: at least `min` and at most 10, each an action Eloqua knows. */
export function readSyncActions (syncActions: unknown, min: number, fail: Fail): SyncAction[] {
  const actions: SyncAction[] = []
  if (!Array.isArray(syncActions) || syncActions.length < min || syncActions.length > 10) {
    fail('syncActions', `Must contain at least ${min} and at most 10 sync actions.`, syncActions)
    return actions
  }
  syncActions.forEach((candidate: unknown, i) => {
    const at = `syncActions[${i}]`
    if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) {
      fail(at, 'Must be a JSON object.', candidate)
      return
    }
    const { action, destination } = candidate as Record<string, unknown>
    const status = (candidate as Record<string, unknown>).status ?? undefined
    const updateAll = (candidate as Record<string, unknown>).updateAll ?? undefined
    if (!SYNC_ACTION_KINDS.includes(action as SyncActionKind)) fail(`${at}.action`, `Must be one of ${SYNC_ACTION_KINDS.join(', ')}.`, action)
    if (typeof destination !== 'string' || destination.length > MAX_DESTINATION_LENGTH || !DESTINATION.test(destination)) {
      fail(`${at}.destination`, `Must be a destination statement of at most ${MAX_DESTINATION_LENGTH} characters, such as {{ContactList[12345]}} or {{ActionInstance(<id>).Execution[<id>]}}.`, destination)
    }
    if (status === undefined) {
      if (action === 'setStatus') fail(`${at}.status`, 'Is required for the setStatus action.')
    } else if (!SYNC_ACTION_STATUSES.includes(status as SyncActionStatus)) {
      fail(`${at}.status`, `Must be one of ${SYNC_ACTION_STATUSES.join(', ')}.`, status)
    }
    if (updateAll !== undefined && typeof updateAll !== 'boolean') fail(`${at}.updateAll`, 'Must be a boolean value.', updateAll)
    const kept: SyncAction = { action: action as SyncActionKind, destination: destination as string }
    if (status !== undefined) kept.status = status as SyncActionStatus
    if (updateAll !== undefined) kept.updateAll = updateAll as boolean
    actions.push(kept)
  })
  return actions
}
