/**
 * Shapes shared by every route, registered once with addSchema and referenced by `$id`.
 * Property order follows Eloqua's recorded answers (shared real-responses §4), because the
 * serializer writes properties in schema order.
 */
import { FIELD_DATA_TYPES, SYNC_ACTION_KINDS, SYNC_ACTION_STATUSES } from './fixtures.js'

/** Marks a body schema that documents the request only: the domain checks it, reporting every problem at once. */
export const DOMAIN_VALIDATED = 'x-checked-by-domain'

export const validationFailures = {
  $id: 'ValidationFailures',
  description: "Eloqua's validation error body (400).",
  type: 'object',
  required: ['failures'],
  properties: {
    failures: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'constraint'],
        properties: {
          field: { type: 'string' },
          value: { type: 'string' },
          constraint: { type: 'string' }
        }
      }
    }
  }
} as const

export const sync = {
  $id: 'Sync',
  description: 'A sync: Eloqua processes the data staged for a definition.',
  type: 'object',
  // No `required`: the serializer writes required properties first, and Eloqua's order matters more.
  properties: {
    syncedInstanceUri: { type: 'string' },
    callbackUrl: { type: 'string' },
    syncStartedAt: { type: 'string' },
    syncEndedAt: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'active', 'success', 'warning', 'error'] },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    uri: { type: 'string' }
  }
} as const

const idParam = { type: 'string', description: 'Integer id.' } as const

const timestamp = { type: 'string', description: 'UTC, seven fractional digits, e.g. 2024-05-01T10:00:00.0000000Z.' } as const
const audit = { createdBy: { type: 'string' }, createdAt: timestamp, updatedBy: { type: 'string' }, updatedAt: timestamp } as const

export const syncActionDefinition = {
  $id: 'SyncActionDefinition',
  description: 'A custom object sync action definition (CustomObjectSyncActionOperationIndividual).',
  type: 'object',
  properties: {
    name: { type: 'string' },
    fields: { type: 'object', additionalProperties: { type: 'string' } },
    identifierFieldName: { type: 'string' },
    isSyncTriggeredOnImport: { type: 'boolean' },
    syncActions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          action: { type: 'string', enum: SYNC_ACTION_KINDS },
          destination: { type: 'string' },
          status: { type: 'string', enum: SYNC_ACTION_STATUSES },
          updateAll: { type: 'boolean' }
        }
      }
    },
    kbUsed: { type: 'integer' },
    uri: { type: 'string' },
    ...audit
  }
} as const

export const customObject = {
  $id: 'CustomObject',
  type: 'object',
  properties: {
    name: { type: 'string' },
    displayNameFieldUri: { type: 'string' },
    emailAddressFieldUri: { type: 'string' },
    uniqueFieldUri: { type: 'string' },
    uri: { type: 'string' },
    ...audit
  }
} as const

export const customObjectField = {
  $id: 'CustomObjectField',
  type: 'object',
  properties: {
    name: { type: 'string' },
    internalName: { type: 'string' },
    dataType: { type: 'string', enum: FIELD_DATA_TYPES },
    defaultValue: { type: 'string' },
    hasReadOnlyConstraint: { type: 'boolean' },
    hasNotNullConstraint: { type: 'boolean' },
    hasUniquenessConstraint: { type: 'boolean' },
    statement: { type: 'string' },
    uri: { type: 'string' },
    ...audit
  }
} as const

export const syncLog = {
  $id: 'SyncLog',
  type: 'object',
  properties: {
    syncUri: { type: 'string' },
    count: { type: 'integer' },
    severity: { type: 'string', enum: ['information', 'warning', 'error'] },
    statusCode: { type: 'string' },
    message: { type: 'string' },
    createdAt: timestamp
  }
} as const

export const syncReject = {
  $id: 'SyncReject',
  type: 'object',
  properties: {
    fieldValues: { type: 'object', additionalProperties: { type: 'string' } },
    message: { type: 'string' },
    statusCode: { type: 'string' },
    recordIndex: { type: 'integer', description: '1-based position of the record among all the records the sync processed.' },
    invalidFields: { type: 'array', items: { type: 'string' } }
  }
} as const

export const sharedSchemas = [validationFailures, sync, syncActionDefinition, customObject, customObjectField, syncLog, syncReject] as const

/** Eloqua's list envelope, keys in Eloqua's order. */
function listOf (ref: string, description: string): object {
  return {
    description,
    type: 'object',
    properties: {
      items: { type: 'array', items: { $ref: `${ref}#` } },
      totalResults: { type: 'integer' },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
      count: { type: 'integer' },
      hasMore: { type: 'boolean' }
    }
  }
}

/** Query parameters of every list (eloqua-reference §3.1). */
export const listQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 1000 },
    offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
    // true/false in any case: Python clients send str(False).
    totalResults: { anyOf: [{ type: 'boolean' }, { type: 'string', pattern: '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$' }], default: true },
    orderBy: { type: 'string', description: 'term ASC|DESC, e.g. name ASC' },
    q: { type: 'string', description: 'term<op>value joined by AND, op one of = != < > <= >=, * as wildcard, e.g. name=*Test*' },
    links: { type: 'string', description: 'Accepted and ignored.' }
  }
} as const

const idParams = (...names: string[]): object => ({
  type: 'object',
  required: names,
  properties: Object.fromEntries(names.map((n) => [n, idParam]))
})

const noBody = (description: string): { description: string, type: 'null' } => ({ description, type: 'null' })
// Responses every Bulk route can give; other statuses come from fault rules and Prefer.
const guarded = {
  401: noBody('Unauthorized: missing or wrong credentials (WWW-Authenticate is set).'),
  403: noBody('Forbidden: no permission for the Bulk API or for this custom object.')
} as const
const errors = { 400: { $ref: 'ValidationFailures#' }, ...guarded } as const
const missing = { 404: noBody('The requested resource was not found.'), ...guarded } as const
const conflicted = { 409: noBody('There was a conflict: a sync of this definition is pending or active.') } as const

/** A request body the domain checks itself (see validators.ts); the schema is for the OpenAPI description. */
const domainChecked = (ref: string): object => ({ [DOMAIN_VALIDATED]: true, $ref: ref })

export const routeSchemas = {
  discovery: {
    summary: 'Discover the site, the user and the base URLs (login.eloqua.com/id)',
    tags: ['discovery']
  },
  listCustomObjects: { summary: 'List custom objects', tags: ['custom objects'], querystring: listQuery, response: { 200: listOf('CustomObject', 'Custom objects'), ...errors } },
  getCustomObject: { summary: 'Retrieve a custom object', tags: ['custom objects'], params: idParams('id'), response: { 200: { $ref: 'CustomObject#' }, ...missing } },
  listCustomObjectFields: { summary: 'List the fields of a custom object', tags: ['custom objects'], params: idParams('parentId'), querystring: listQuery, response: { 200: listOf('CustomObjectField', 'Fields'), ...errors, ...missing } },
  getCustomObjectField: { summary: 'Retrieve a field of a custom object', tags: ['custom objects'], params: idParams('parentId', 'id'), response: { 200: { $ref: 'CustomObjectField#' }, ...missing } },
  listContactFields: { summary: 'List the contact fields', tags: ['fields'], querystring: listQuery, response: { 200: listOf('CustomObjectField', 'Contact fields'), ...errors } },
  getContactField: { summary: 'Retrieve a contact field', tags: ['fields'], params: idParams('id'), response: { 200: { $ref: 'CustomObjectField#' }, ...missing } },
  listAccountFields: { summary: 'List the account fields', tags: ['fields'], querystring: listQuery, response: { 200: listOf('CustomObjectField', 'Account fields'), ...errors } },
  getAccountField: { summary: 'Retrieve an account field', tags: ['fields'], params: idParams('id'), response: { 200: { $ref: 'CustomObjectField#' }, ...missing } },
  listSyncActionDefinitions: { summary: 'List the sync action definitions of a custom object', tags: ['sync action definitions'], params: idParams('parentId'), querystring: listQuery, response: { 200: listOf('SyncActionDefinition', 'Sync action definitions'), ...errors, ...missing } },
  listAllSyncActionDefinitions: { summary: 'List every sync action definition', tags: ['sync action definitions'], querystring: listQuery, response: { 200: listOf('SyncActionDefinition', 'Sync action definitions'), ...errors } },
  createSyncActionDefinition: { summary: 'Create a sync action definition', tags: ['sync action definitions'], params: idParams('parentId'), body: domainChecked('SyncActionDefinition#'), response: { 201: { $ref: 'SyncActionDefinition#' }, ...errors, ...missing } },
  getSyncActionDefinition: { summary: 'Retrieve a sync action definition', tags: ['sync action definitions'], params: idParams('parentId', 'id'), response: { 200: { $ref: 'SyncActionDefinition#' }, ...missing } },
  replaceSyncActionDefinition: { summary: 'Replace a sync action definition', tags: ['sync action definitions'], params: idParams('parentId', 'id'), body: domainChecked('SyncActionDefinition#'), response: { 200: { $ref: 'SyncActionDefinition#' }, ...errors, ...missing } },
  deleteSyncActionDefinition: { summary: 'Delete a sync action definition', tags: ['sync action definitions'], params: idParams('parentId', 'id'), response: { 204: noBody('Deleted; a running sync of it ends in error.'), ...missing } },
  deleteSyncActionData: { summary: 'Delete the staged data of a sync action definition', tags: ['sync action definitions'], params: idParams('parentId', 'id'), response: { 204: noBody('Deleted.'), ...missing, ...conflicted } },
  createSync: {
    summary: 'Create a sync',
    tags: ['syncs'],
    body: {
      [DOMAIN_VALIDATED]: true,
      type: 'object',
      properties: { syncedInstanceUri: { type: 'string' }, callbackUrl: { type: 'string' }, callbackURL: { type: 'string', description: "Oracle's example spelling of callbackUrl." } }
    },
    response: { 201: { $ref: 'Sync#' }, ...errors, ...conflicted }
  },
  listSyncs: { summary: 'List syncs', tags: ['syncs'], querystring: listQuery, response: { 200: listOf('Sync', 'Syncs'), ...errors } },
  getSync: { summary: 'Retrieve a sync', tags: ['syncs'], params: idParams('id'), response: { 200: { $ref: 'Sync#' }, ...missing } },
  listSyncLogs: { summary: 'Retrieve the logs of a sync', tags: ['syncs'], params: idParams('id'), querystring: listQuery, response: { 200: listOf('SyncLog', 'Log lines'), ...errors, ...missing } },
  listSyncRejects: { summary: 'Retrieve the rejected records of a sync', tags: ['syncs'], params: idParams('id'), querystring: listQuery, response: { 200: listOf('SyncReject', 'Rejected records'), ...errors, ...missing } }
} as const

export const uploadSyncActionDataSchema = {
  summary: 'Upload records to a custom object sync action definition',
  tags: ['sync action definitions'],
  consumes: ['application/json', 'text/csv'],
  params: {
    type: 'object',
    required: ['parentId', 'id'],
    properties: { parentId: idParam, id: idParam }
  },
  body: {
    description: 'Records keyed by the definition\'s identifierFieldName, as JSON or as CSV with a header row.',
    type: 'array',
    items: { type: 'object' }
  },
  response: {
    201: { $ref: 'Sync#' },
    204: noBody('Staged; the definition does not sync on import.'),
    400: { $ref: 'ValidationFailures#' },
    ...missing,
    404: noBody('No such custom object or definition, or a body over MAX_UPLOAD_BYTES (Eloqua answers 404 past 32 MB).'),
    ...conflicted,
    413: noBody('Storage space exceeded: the staging quota is full.')
  }
} as const
