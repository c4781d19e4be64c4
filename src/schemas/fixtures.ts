/**
 * JSON Schema of a fixtures file. `npm run schema` writes it to fixtures.schema.json so editors can
 * complete and check fixtures through `$schema`; a test keeps the two identical.
 */
import type { FromSchema } from 'json-schema-to-ts'
import { OPERATION_IDS } from './operations.js'
import { ACTIVITY_TYPES } from '../domain/activities.js'
import type { ActivityFixture } from '../domain/activity-log.js'

export const FAULT_STATUS_CODES = [400, 401, 403, 404, 409, 410, 412, 413, 429, 500, 502, 503, 504] as const

/** What a fault rule can do to the connection itself, as a failing network or gateway would. */
export const FAULT_CONNECTION_KINDS = ['reset', 'hang', 'close-after-headers', 'truncate-body'] as const

// Eloqua's SyncAction enums (eloqua-reference §6).
export const SYNC_ACTION_KINDS = ['add', 'remove', 'setStatus'] as const
export const FIELD_DATA_TYPES = ['number', 'string', 'boolean', 'date', 'emailAddress'] as const
export const SYNC_ACTION_STATUSES = [
  'bounced', 'subscribed', 'unsubscribed', 'active', 'complete', 'pending', 'errored', 'yes', 'no', 'invalid', 'permission'
] as const

const id = { type: 'integer', minimum: 1, description: 'Positive integer id, unique per kind.' } as const
const timestamp = { type: 'string', description: 'ISO 8601 date-time, e.g. 2024-01-10T09:00:00Z.' } as const
const loginName = { type: 'string', minLength: 1 } as const
const audit = { createdAt: timestamp, createdBy: loginName, updatedAt: timestamp, updatedBy: loginName } as const

const user = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'username'],
  properties: {
    id,
    username: { ...loginName, description: 'Login name, as in Site\\User. Compared case-insensitively, as Eloqua does.' },
    password: { type: 'string', minLength: 1, description: 'Password for Basic auth. Omit to allow only Bearer tokens.' },
    tokens: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'Bearer access tokens that authenticate as this user.'
    },
    displayName: { type: 'string' },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    emailAddress: { type: 'string' },
    disabled: { type: 'boolean', description: 'A disabled user: every credential answers 401, and /id "Not authenticated.", as Eloqua does. Default false.' },
    permissions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        bulkApi: { type: 'boolean', description: 'Has API access at all: without it the Bulk API answers 403 and /id "Not authenticated.". Default true.' },
        customObjects: {
          description: 'Custom object ids this user may use (else 403), or "*" for all. Default "*".',
          anyOf: [
            { type: 'string', const: '*' },
            { type: 'array', items: id }
          ]
        }
      }
    }
  }
} as const

export const siteSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'users'],
  properties: {
    id,
    name: { type: 'string', minLength: 1, pattern: '^[^\\\\:]+$', description: 'Company (site) name, the part before the backslash in Basic auth.' },
    users: { type: 'array', minItems: 1, items: user },
    podHost: {
      type: 'string',
      maxLength: 261,
      pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$',
      description: 'Host name (and port) /id answers in urls.base for this site, e.g. secure.p01.eloqua.com, with the scheme the client used and, when it names none, the client\'s port; the mock answers on that name too. Default: the host the client reached.'
    }
  }
} as const

const customObjectField = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: {
    id,
    name: { type: 'string', minLength: 1 },
    internalName: { type: 'string', minLength: 1 },
    dataType: { enum: FIELD_DATA_TYPES },
    defaultValue: { type: 'string' },
    hasNotNullConstraint: { type: 'boolean' },
    hasReadOnlyConstraint: { type: 'boolean' },
    hasUniquenessConstraint: { type: 'boolean' },
    ...audit
  }
} as const

/** A contact or account field: like a custom object field, but named by its `internalName` in statements. */
const entityField = {
  ...customObjectField,
  required: ['id', 'name', 'internalName'],
  properties: {
    ...customObjectField.properties,
    id: { ...id, description: 'The field id, as in /contacts/fields/{id}; Eloqua\'s standard fields start at 100001.' },
    internalName: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z][A-Za-z0-9_]*$', description: 'e.g. C_EmailAddress; the statement is {{Contact.Field(<internalName>)}}.' }
  }
} as const

const customObjectRecord = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: { ...id, description: 'The record Id, matched by {{CustomObject[n].Id}}.' },
    externalId: { type: 'string', minLength: 1, description: 'The record ExternalId, matched by {{CustomObject[n].ExternalId}}.' },
    fieldValues: { type: 'object', additionalProperties: { type: 'string' } }
  }
} as const

/** A contact or account: values by field internal name; Eloqua assigns the id when the fixture leaves it out. */
const entityRecord = {
  type: 'object',
  additionalProperties: false,
  required: ['fieldValues'],
  properties: {
    id: { ...id, description: 'The record id ({{Contact.Id}}, {{Account.Id}}); default: one more than the highest given.' },
    accountId: { ...id, description: 'Contacts only: the account the contact is linked to, read by {{Contact.Account.Field(<name>)}}.' },
    fieldValues: {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 100000 },
      description: 'Values by field internal name, e.g. {"C_EmailAddress": "ana@example.com"}; every name must be a field of contactFields or accountFields.'
    }
  }
} as const

/** A contact list, segment or filter, or an account list: its members by record id. */
const container = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: {
    id: { ...id, description: 'The container id, as in {{ContactList[<id>]}}.' },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    members: { type: 'array', items: id, maxItems: 1000000, description: 'Ids of the contacts (or accounts) in it; sync actions add and remove more.' },
    executedAt: { ...timestamp, description: 'Segments and filters: when it last ran.' },
    ...audit
  }
} as const

const activityType = { type: 'string', enum: ACTIVITY_TYPES, description: 'The activity type, as in \'{{Activity.Type}}\' = \'EmailOpen\'.' } as const

/** Most activities one generator describes; rows are computed when read, so they cost no memory. */
export const MAX_GENERATED_ACTIVITIES = 10_000_000

/** One activity: its type, date, contact and the values of its activity fields. */
const listedActivity = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'createdAt'],
  properties: {
    id: { ...id, description: 'The activity id ({{Activity.Id}}); default: one more than the highest so far.' },
    type: activityType,
    createdAt: { ...timestamp, description: 'When it happened ({{Activity.CreatedAt}}), ISO 8601.' },
    contactId: { ...id, description: 'The contact it belongs to ({{Activity.Contact.Id}}); {{Activity.Contact.Field(...)}} reads that contact.' },
    values: {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 100000 },
      description: 'Values by activity field internal name (GET /activities/fields), e.g. {"EmailAddress": "ana@example.com", "AssetName": "May newsletter"}.'
    }
  }
} as const

/** Many activities of one type, generated the same way every time from a seed. */
const activityGenerator = {
  type: 'object',
  additionalProperties: false,
  required: ['generate'],
  properties: {
    generate: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'count', 'seed'],
      properties: {
        type: activityType,
        count: { type: 'integer', minimum: 1, maximum: MAX_GENERATED_ACTIVITIES, description: 'How many rows.' },
        seed: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'The same seed gives the same rows.' },
        firstId: { ...id, description: 'The first row\'s {{Activity.Id}}; the rest follow. Default: one more than the highest so far.' },
        from: { ...timestamp, description: 'The first row\'s date; rows are spread evenly, in id order, from here to `to`. Default 2024-01-01T00:00:00Z.' },
        to: { ...timestamp, description: 'The end of the dates (exclusive). Default 2024-05-01T00:00:00Z.' }
      }
    }
  }
} as const

/** A lead scoring model and the scores of the contacts it has scored. */
const scoringModel = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: {
    id: { ...id, description: 'The model id, as in {{Contact.LeadScore.Model[<id>].Rating}}.' },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    status: { type: 'string', enum: ['Active', 'Draft', 'Inactive'], description: 'Default Active.' },
    scores: {
      type: 'array',
      maxItems: 1000000,
      description: 'Contacts this model has scored; the others export blank values.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['contactId', 'rating', 'profileScore', 'engagementScore'],
        properties: {
          contactId: id,
          rating: { type: 'string', pattern: '^[A-D][1-4]$', description: 'Profile letter and engagement number, e.g. A1.' },
          profileScore: { type: 'integer', minimum: 0, maximum: 100 },
          engagementScore: { type: 'integer', minimum: 0, maximum: 100 }
        }
      }
    },
    ...audit
  }
} as const

const loginOf = { type: 'string', minLength: 3, maxLength: 300, pattern: '^[^\\\\]+\\\\[^\\\\]+$', description: 'A fixture user, as Site\\User.' } as const

/** An app registered for OAuth 2 on the login host. */
const oauthClient = {
  type: 'object',
  additionalProperties: false,
  required: ['clientId', 'clientSecret', 'redirectUris', 'user'],
  properties: {
    clientId: { type: 'string', minLength: 1, maxLength: 200, description: 'The client_id (the app\'s Client Id).' },
    clientSecret: { type: 'string', minLength: 1, maxLength: 500, description: 'The client_secret, sent with the client_id by HTTP Basic.' },
    redirectUris: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 2048 }, description: 'The redirect_uri values the app may use, compared exactly.' },
    user: { ...loginOf, description: 'Who GET /auth/oauth2/authorize logs in as for this app (login_hint can name another user of the fixtures), as Site\\User.' },
    refreshTokens: {
      type: 'array',
      maxItems: 1000,
      description: 'Refresh tokens issued before the mock started, each for one user.',
      items: { type: 'object', additionalProperties: false, required: ['token', 'user'], properties: { token: { type: 'string', minLength: 8, maxLength: 500 }, user: loginOf } }
    }
  }
} as const

const customObject = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: {
    id,
    name: { type: 'string', minLength: 1 },
    displayNameFieldId: id,
    emailAddressFieldId: id,
    uniqueFieldId: id,
    fields: { type: 'array', items: customObjectField },
    records: { type: 'array', items: customObjectRecord },
    ...audit
  }
} as const

const syncAction = {
  type: 'object',
  additionalProperties: false,
  required: ['action'],
  properties: {
    action: { enum: SYNC_ACTION_KINDS },
    destination: { type: 'string', minLength: 1 },
    status: { enum: SYNC_ACTION_STATUSES },
    updateAll: { type: 'boolean' }
  },
  if: { properties: { action: { const: 'setStatus' } } },
  then: { required: ['status'] }
} as const

const syncActionDefinition = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'parentId', 'name', 'fields', 'identifierFieldName', 'syncActions'],
  properties: {
    id,
    parentId: { ...id, description: 'Id of the custom object this definition belongs to.' },
    name: { type: 'string', minLength: 1 },
    fields: {
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      additionalProperties: { type: 'string' },
      description: 'Exactly one entry: {"<identifierFieldName>": "{{CustomObject[<parentId>].ExternalId}}"} (or .Id).'
    },
    identifierFieldName: { type: 'string', minLength: 1, maxLength: 100 },
    isSyncTriggeredOnImport: { type: 'boolean', description: 'true: each upload answers 201 and starts a sync. Default false.' },
    syncActions: { type: 'array', minItems: 1, maxItems: 10, items: syncAction },
    ...audit
  }
} as const

/** HTTP header names and values as Node can send them; a few at most. */
const headerMap = {
  type: 'object',
  maxProperties: 20,
  propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$" },
  additionalProperties: { type: 'string', maxLength: 1000, pattern: '^[\\t\\x20-\\x7e\\x80-\\xff]*$' }
} as const

export const faultRule = {
  type: 'object',
  additionalProperties: false,
  description: 'A rule has either `response` (how to answer matching requests) or `sync` (how matching syncs end).',
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'Unique; sent back in the X-Mock-Fault header when the rule fires.' },
    description: { type: 'string', maxLength: 1000 },
    match: {
      type: 'object',
      additionalProperties: false,
      description: 'Every given criterion must hold. An empty match catches every Eloqua API request.',
      properties: {
        operation: { enum: OPERATION_IDS, description: 'Operation id of the endpoint, e.g. uploadSyncActionData, createSync (operationId in /__mock/openapi.json).' },
        method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'] },
        path: {
          type: 'string',
          pattern: '^/',
          maxLength: 256,
          description: 'Path or template, case-insensitive, e.g. /api/bulk/2.0/customObjects/{parentId}/syncActions/{id}/data.'
        },
        parentId: id,
        id,
        site: { type: 'string', minLength: 1, maxLength: 256 },
        user: { type: 'string', minLength: 1, maxLength: 256 },
        headers: {
          ...headerMap,
          description: 'Request headers that must be present with exactly these values (names case-insensitive).'
        }
      }
    },
    when: {
      description: 'Which of the matching requests it fires on. Default: always.',
      anyOf: [
        { type: 'string', const: 'always' },
        {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: {
            first: { type: 'integer', minimum: 1, description: 'The first N matching requests.' },
            after: { type: 'integer', minimum: 0, description: 'Every matching request after the first N.' },
            every: { type: 'integer', minimum: 1, description: 'The Nth, 2Nth, 3Nth... matching request.' },
            probability: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'Each matching request with this chance, drawn from a seeded generator.' }
          }
        }
      ]
    },
    seed: { type: 'integer', description: 'Seed for a probability rule; defaults to the FAULT_SEED setting.' },
    sync: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      description: 'Shapes the syncs of matching definitions (match by parentId, id, site, user) instead of answering a request.',
      properties: {
        status: { enum: ['error', 'warning', 'pending'], description: 'error: ends in error with ELQ-00146; warning: ends in warning; pending: never starts.' },
        callback: { enum: ['never', 'twice', 'late'], description: 'Deliver the callback never, twice, or callbackDelayMs late.' },
        callbackDelayMs: { type: 'integer', minimum: 0, maximum: 600000, description: 'Delay of a late callback. Default 5000.' }
      }
    },
    response: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        status: { enum: FAULT_STATUS_CODES, description: 'Status to answer with. Omit to only delay the real answer.' },
        headers: headerMap,
        body: { description: 'JSON body to send instead of the one Eloqua would send.' },
        delayMs: { type: 'integer', minimum: 0, maximum: 600000, description: 'Wait this long before answering (or before going on, without status).' },
        connection: {
          enum: FAULT_CONNECTION_KINDS,
          description: 'Fail the connection instead of answering: reset (a TCP reset), hang (never answer; released by a reset, at shutdown, or after CONNECTION_TIMEOUT_MS of silence), close-after-headers (send the status and headers, promising a body, then close), truncate-body (send the headers and `bytes` bytes of the body, then close).'
        },
        bytes: { type: 'integer', minimum: 0, maximum: 1048576, description: 'With truncate-body: how many bytes of the body to send before closing. Default 0.' }
      }
    }
  }
} as const

export const fixturesFileSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'eloqua-bulk-mock fixtures file',
  description: 'Sites and users, contact and account fields and records, lists, segments and filters, activities, lead scoring models, custom objects with their records, sync action definitions and fault rules. Every *.json file of a fixtures folder is loaded and the lists are joined.',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    description: { type: 'string' },
    sites: { type: 'array', items: siteSchema },
    customObjects: { type: 'array', items: customObject },
    syncActionDefinitions: { type: 'array', items: syncActionDefinition },
    contactFields: { type: 'array', items: entityField, description: 'The fields GET /contacts/fields lists.' },
    accountFields: { type: 'array', items: entityField, description: 'The fields GET /accounts/fields lists.' },
    contacts: { type: 'array', items: entityRecord, description: 'The contacts every site starts with; imports add and update them.' },
    contactLists: { type: 'array', items: container, description: 'GET /contacts/lists; EXISTS(\'{{ContactList[<id>]}}\') in contact export filters.' },
    contactSegments: { type: 'array', items: container, description: 'GET /contacts/segments; EXISTS(\'{{ContactSegment[<id>]}}\').' },
    contactFilters: { type: 'array', items: container, description: 'GET /contacts/filters; EXISTS(\'{{ContactFilter[<id>]}}\').' },
    accountLists: { type: 'array', items: container, description: 'GET /accounts/lists; EXISTS(\'{{AccountList[<id>]}}\') in account export filters.' },
    accounts: { type: 'array', items: entityRecord, description: 'The accounts every site starts with; imports add and update them.' },
    activities: {
      type: 'array',
      items: { if: { type: 'object', required: ['generate'] }, then: activityGenerator, else: listedActivity },
      description: 'The activities activity exports read: listed one by one, or {"generate": {"type": "EmailOpen", "count": 1000000, "seed": 7}} for many rows computed from a seed.'
    },
    oauthClients: { type: 'array', items: oauthClient, description: 'Apps that may get OAuth 2 tokens at /auth/oauth2/token and /auth/oauth2/authorize.' },
    scoringModels: { type: 'array', items: scoringModel, description: 'GET /contacts/scoring/models; {{Contact.LeadScore.Model[<id>].Rating}}, .ProfileScore and .EngagementScore in contact exports.' },
    faults: { type: 'array', items: faultRule }
  }
} as const

export type FixturesFile = FromSchema<typeof fixturesFileSchema>
export type SiteFixture = FromSchema<typeof siteSchema>
export type UserFixture = FromSchema<typeof user>
export type CustomObjectFixture = FromSchema<typeof customObject>
export type SyncActionDefinitionFixture = FromSchema<typeof syncActionDefinition>
export type SyncAction = FromSchema<typeof syncAction>
export type FaultRuleFixture = FromSchema<typeof faultRule>
export type EntityFieldFixture = FromSchema<typeof entityField>
export type EntityRecordFixture = FromSchema<typeof entityRecord>
export type ContainerFixture = FromSchema<typeof container>
export type ScoringModelFixture = FromSchema<typeof scoringModel>
export type OAuthClientFixture = FromSchema<typeof oauthClient>

/** All fixture files joined. */
export interface Fixtures {
  sites: SiteFixture[]
  customObjects: CustomObjectFixture[]
  syncActionDefinitions: SyncActionDefinitionFixture[]
  contactFields: EntityFieldFixture[]
  accountFields: EntityFieldFixture[]
  contacts: EntityRecordFixture[]
  accounts: EntityRecordFixture[]
  contactLists: ContainerFixture[]
  contactSegments: ContainerFixture[]
  contactFilters: ContainerFixture[]
  accountLists: ContainerFixture[]
  activities: ActivityFixture[]
  scoringModels: ScoringModelFixture[]
  oauthClients: OAuthClientFixture[]
  faults: FaultRuleFixture[]
}
