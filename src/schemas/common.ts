/**
 * Shapes shared by every route, registered once with addSchema and referenced by `$id`.
 * Property order follows Eloqua's recorded answers (shared real-responses §4), because the
 * serializer writes properties in schema order.
 */
import { FIELD_DATA_TYPES, SYNC_ACTION_KINDS, SYNC_ACTION_STATUSES } from './fixtures.js'
import type { OperationId } from './operations.js'
import { ACTIVITY_TYPES } from '../domain/activities.js'

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
          stackTrace: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' } } } },
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

const syncActions = {
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
} as const

/** The properties every definition starts with, in Eloqua's order. */
const definitionHead = {
  name: { type: 'string' },
  fields: { type: 'object', additionalProperties: { type: 'string' } },
  identifierFieldName: { type: 'string' },
  isSyncTriggeredOnImport: { type: 'boolean' }
} as const

export const syncActionDefinition = {
  $id: 'SyncActionDefinition',
  description: 'A sync action definition of a custom object, contacts or accounts (CustomObjectSyncActionOperationIndividual and its kin).',
  type: 'object',
  properties: {
    ...definitionHead,
    syncActions,
    kbUsed: { type: 'integer' },
    uri: { type: 'string' },
    ...audit
  }
} as const

const updateRule = { type: 'string', enum: ['always', 'ifNewIsNotNull', 'ifExistingIsNull', 'useFieldRule'] } as const

export const importDefinition = {
  $id: 'ImportDefinition',
  description: 'An import definition of contacts, accounts or a custom object (ContactImportIndividual and its kin); optional properties come back only when sent.',
  type: 'object',
  properties: {
    ...definitionHead,
    dataRetentionDuration: { type: 'string', description: 'ISO 8601, PT1H to P14D; default P7D.' },
    isUpdatingMultipleMatchedRecords: { type: 'boolean' },
    updateRule,
    updateRuleByField: { type: 'object', additionalProperties: updateRule },
    importRule: { type: 'string', enum: ['createAndUpdate', 'updateOnly', 'createOnly'], description: 'Contacts and accounts only.' },
    nullIdentifierFieldName: { type: 'boolean' },
    autoDeleteDuration: { type: 'string' },
    importPriorityUri: { type: 'string' },
    externalSystemId: { type: 'integer' },
    linkUsers: { type: 'boolean', description: 'Accounts only.' },
    mapDataCards: { type: 'boolean', description: 'Custom objects only, as are the mapDataCards* properties.' },
    mapDataCardsEntityType: { type: 'string', enum: ['Contact', 'Company'] },
    mapDataCardsEntityField: { type: 'string' },
    mapDataCardsSourceField: { type: 'string' },
    mapDataCardsCaseSensitiveMatch: { type: 'boolean' },
    syncActions,
    uri: { type: 'string' },
    ...audit
  }
} as const

export const exportDefinition = {
  $id: 'ExportDefinition',
  description: 'An export definition of contacts, accounts or a custom object (ContactExportIndividual and its kin); optional properties come back only when sent.',
  type: 'object',
  properties: {
    name: { type: 'string' },
    fields: { type: 'object', additionalProperties: { type: 'string' } },
    filter: { type: 'string' },
    maxRecords: { type: 'integer' },
    areSystemTimestampsInUTC: { type: 'boolean' },
    dataRetentionDuration: { type: 'string', description: 'ISO 8601, PT1H to P14D; default PT12H.' },
    autoDeleteDuration: { type: 'string' },
    crmAccountIdField: { type: 'string' },
    externalSystemId: { type: 'integer' },
    syncActions,
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

export const activityField = {
  $id: 'ActivityField',
  type: 'object',
  properties: { ...customObjectField.properties, activityTypes: { type: 'array', items: { type: 'string', enum: ACTIVITY_TYPES } } }
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

/** A list, segment or filter: its statement feeds EXISTS in export filters. */
export const container = {
  $id: 'Container',
  type: 'object',
  properties: {
    name: { type: 'string' },
    count: { type: 'integer', description: 'Members now.' },
    statement: { type: 'string', description: 'e.g. {{ContactList[1]}}, for EXISTS in export filters and sync action destinations.' },
    uri: { type: 'string' },
    ...audit,
    executedAt: { ...timestamp, description: 'Segments and filters only.' }
  }
} as const

/** A lead scoring model: its fields are statements contact exports may read. */
export const leadScoreModel = {
  $id: 'LeadScoreModel',
  type: 'object',
  properties: {
    name: { type: 'string' },
    status: { type: 'string' },
    id: { type: 'integer' },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          statement: { type: 'string', description: 'e.g. {{Contact.LeadScore.Model[1].Rating}}' },
          dataType: { type: 'string', enum: ['number', 'string', 'boolean', 'date', 'emailAddress'] },
          hasReadOnlyConstraint: { type: 'boolean' },
          hasNotNullConstraint: { type: 'boolean' },
          hasUniquenessConstraint: { type: 'boolean' }
        }
      }
    },
    uri: { type: 'string' },
    createdBy: { type: 'string' },
    updatedBy: { type: 'string' },
    createdAt: timestamp,
    updatedAt: timestamp
  }
} as const

export const sharedSchemas = [validationFailures, sync, syncActionDefinition, importDefinition, exportDefinition, container, leadScoreModel, customObject, customObjectField, activityField, syncLog, syncReject] as const

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

/** `totalResults` takes true or false in any case. */
export const TRUE_OR_FALSE = '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$'

/** Query parameters of every list (eloqua-reference §3.1). */
export const listQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 1000 },
    offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
    // true/false in any case: Python clients send str(False).
    // One string check, so a wrong value is one failure; any case, as Python clients send str(False).
    totalResults: { type: 'string', pattern: TRUE_OR_FALSE, default: 'true' },
    orderBy: { type: 'string', description: 'term ASC|DESC, e.g. name ASC' },
    q: { type: 'string', description: 'term<op>value joined by AND, op one of = != < > <= >=, * as wildcard, e.g. name=*Test*' },
    links: { type: 'string', description: 'Accepted and ignored.' }
  }
} as const

/** Query parameters of a page of exported rows (imports-exports §3.4). */
export const dataQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 50000, default: 1000 },
    offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
    totalResults: listQuery.properties.totalResults,
    links: { type: 'string', description: 'Accepted and ignored.' }
  }
} as const

/** A page of exported rows: `items` is absent when the page has none. */
export const dataPage = {
  description: 'Exported rows, values as text, keyed by the keys of the export\'s fields.',
  type: 'object',
  properties: {
    items: { type: 'array', items: { type: 'object', additionalProperties: { type: 'string' } } },
    totalResults: { type: 'integer' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
    count: { type: 'integer' },
    hasMore: { type: 'boolean' }
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

const dataUsage = { type: 'object', properties: { kbAllowed: { type: 'integer' }, kbUsed: { type: 'integer' } } } as const

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
  listActivityFields: {
    summary: 'List the activity fields, each with the activity types it applies to',
    tags: ['fields'],
    querystring: { ...listQuery, properties: { ...listQuery.properties, activityType: { type: 'string', enum: ACTIVITY_TYPES, description: 'Only the fields of this activity type.' } } },
    response: { 200: listOf('ActivityField', 'Activity fields'), ...errors }
  },
  createOAuthToken: {
    summary: 'Get an OAuth 2 access token (authorization_code, refresh_token or password grant); the client by HTTP Basic client_id:client_secret',
    tags: ['OAuth 2'],
    body: { [DOMAIN_VALIDATED]: true, type: 'object', properties: { grant_type: { type: 'string', enum: ['authorization_code', 'refresh_token', 'password'] }, code: { type: 'string' }, redirect_uri: { type: 'string' }, refresh_token: { type: 'string' }, username: { type: 'string', description: 'Site\\User' }, password: { type: 'string' }, scope: { type: 'string' } } },
    response: {
      200: { type: 'object', properties: { access_token: { type: 'string' }, token_type: { type: 'string' }, expires_in: { type: 'integer' }, refresh_token: { type: 'string' } } },
      '4xx': { type: 'object', properties: { error: { type: 'string' }, error_code: { type: 'integer' }, error_description: { type: 'string' } } }
    }
  },
  authorizeOAuth: {
    summary: 'Authorize an app: redirects at once with a code (response_type=code) or a token in the fragment (response_type=token), as the app\'s fixture user or login_hint',
    tags: ['OAuth 2'],
    querystring: { type: 'object', properties: { response_type: { type: 'string', maxLength: 100 }, client_id: { type: 'string', maxLength: 2048 }, redirect_uri: { type: 'string', maxLength: 2048 }, scope: { type: 'string', maxLength: 100 }, state: { type: 'string', maxLength: 2048 }, login_hint: { type: 'string', maxLength: 300 } } }
  },
  listScoringModels: { summary: 'List lead scoring models', tags: ['lists, segments and filters'], querystring: listQuery, response: { 200: listOf('LeadScoreModel', 'Lead scoring models'), ...errors } },
  getScoringModel: { summary: 'Retrieve a lead scoring model', tags: ['lists, segments and filters'], params: idParams('id'), response: { 200: { $ref: 'LeadScoreModel#' }, ...missing } },
  getActivityField: { summary: 'Retrieve an activity field', tags: ['fields'], params: idParams('id'), response: { 200: { $ref: 'ActivityField#' }, ...missing } },
  getAccountField: { summary: 'Retrieve an account field', tags: ['fields'], params: idParams('id'), response: { 200: { $ref: 'CustomObjectField#' }, ...missing } },
  listAllSyncActionDefinitions: { summary: 'List every sync action definition', tags: ['sync action definitions'], querystring: listQuery, response: { 200: listOf('SyncActionDefinition', 'Sync action definitions'), ...errors } },
  listAllImports: { summary: 'List every import definition', tags: ['import definitions'], querystring: listQuery, response: { 200: listOf('ImportDefinition', 'Import definitions'), ...errors } },
  getImportsDataUsage: { summary: 'Staged import data of the instance, in KB (kbAllowed 0: no limit)', tags: ['import definitions'], response: { 200: dataUsage } },
  getExportsDataUsage: { summary: 'Exported data the instance holds, in KB (kbAllowed 0: no limit)', tags: ['export definitions'], response: { 200: dataUsage } },
  listAllExports: { summary: 'List every export definition', tags: ['export definitions'], querystring: listQuery, response: { 200: listOf('ExportDefinition', 'Export definitions'), ...errors } },
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
  getSyncData: { summary: 'Retrieve the data an export sync exported', tags: ['syncs'], params: idParams('id'), querystring: dataQuery, response: { 200: dataPage, ...errors, ...missing } },
  deleteSyncData: { summary: 'Delete the data an export sync exported', tags: ['syncs'], params: idParams('id'), response: { 204: noBody('Deleted.'), ...errors, ...missing } },
  listSyncRejects: { summary: 'Retrieve the rejected records of a sync', tags: ['syncs'], params: idParams('id'), querystring: listQuery, response: { 200: listOf('SyncReject', 'Rejected records'), ...errors, ...missing } }
} as const

/** The operations of one family of definitions, e.g. contact imports, by what they do. */
export interface DefinitionOperations {
  list: OperationId
  create: OperationId
  get: OperationId
  replace: OperationId
  remove: OperationId
  /** POST {uri}/data (imports, sync actions) or GET {uri}/data (exports). */
  data: OperationId
  removeData: OperationId
}

/** What the routes of one family of definitions say about themselves in the OpenAPI description. */
export interface DefinitionFamily {
  /** e.g. "contact import definition" */
  readonly noun: string
  readonly tag: string
  /** `$id` of the definition schema. */
  readonly schema: 'SyncActionDefinition' | 'ImportDefinition' | 'ExportDefinition'
  /** Custom object definitions live under /customObjects/{parentId}. */
  readonly underCustomObject: boolean
  /** Imports take one JSON object as well as an array (imports-exports §5.2). */
  readonly acceptsSingleObject: boolean
}

/** The route schemas of one family of definitions: list, create, retrieve, replace, delete, upload, delete data. */
export function definitionRouteSchemas (family: DefinitionFamily): Record<keyof DefinitionOperations, object> {
  const { noun, tag, schema, underCustomObject } = family
  const ref = `${schema}#`
  const tags = [tag]
  const parent = underCustomObject ? ['parentId'] : []
  const itemParams = idParams(...parent, 'id')
  const withParent = underCustomObject ? { params: idParams('parentId') } : {}
  const records = { type: 'array', items: { type: 'object' } }
  const exported = schema === 'ExportDefinition'
  return {
    list: { summary: `List ${noun}s${underCustomObject ? ' of a custom object' : ''}`, tags, ...withParent, querystring: listQuery, response: { 200: listOf(schema, `${noun}s`), ...errors, ...missing } },
    create: { summary: `Create a ${noun}`, tags, ...withParent, body: domainChecked(ref), response: { 201: { $ref: ref }, ...errors, ...missing } },
    get: { summary: `Retrieve a ${noun}`, tags, params: itemParams, response: { 200: { $ref: ref }, ...missing } },
    replace: { summary: `Replace a ${noun}`, tags, params: itemParams, body: domainChecked(ref), response: { 200: { $ref: ref }, ...errors, ...missing } },
    remove: { summary: `Delete a ${noun}`, tags, params: itemParams, response: { 204: noBody('Deleted; a running sync of it ends in error.'), ...missing } },
    data: exported
      ? { summary: `Retrieve the data of the latest sync of a ${noun}`, tags, params: itemParams, querystring: dataQuery, response: { 200: dataPage, ...errors, ...missing } }
      : {
          summary: `Upload records to a ${noun}`,
          tags,
          consumes: ['application/json', 'text/csv'],
          params: itemParams,
          body: {
            description: 'Records keyed by the keys of the definition\'s fields, as JSON or as CSV with a header row.',
            // One type check, so a wrong body is one failure.
            ...(family.acceptsSingleObject ? { type: ['array', 'object'], items: { type: 'object' } } : records)
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
        },
    removeData: exported
      ? { summary: `Delete the exported data of every sync of a ${noun}`, tags, params: itemParams, response: { 204: noBody('Deleted.'), ...missing } }
      : { summary: `Delete the staged data of a ${noun}`, tags, params: itemParams, response: { 204: noBody('Deleted.'), ...missing, ...conflicted } }
  }
}

/** The route schemas of the lists of one kind of container, and of one of them. */
export function containerRouteSchemas (kind: string, noun: string): { list: object, get: object } {
  return {
    list: { summary: `List ${noun}`, tags: ['lists, segments and filters'], querystring: listQuery, response: { 200: listOf('Container', noun), ...errors } },
    get: { summary: `Retrieve one of the ${noun} (${kind})`, tags: ['lists, segments and filters'], params: idParams('id'), response: { 200: { $ref: 'Container#' }, ...missing } }
  }
}
