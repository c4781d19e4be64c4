/**
 * A definition kind: one module per family of definitions (custom object sync actions, contact
 * imports, …) declaring its uri, its body rules, its view and what its sync does with the staged
 * rows. Everything else — staging, the sync lifecycle, the registry that resolves any
 * `syncedInstanceUri`, logs and rejects — is shared, in the Site.
 */
import type { EntityRecord, EntityTable } from '../entities.js'
import type { StagedUpload } from '../records.js'
import type { StagingArea } from '../staging.js'
import { eloquaTimestamp } from '../clock.js'
import type { Entity, FieldCatalogue } from '../statements.js'
import type { FinalStatus, LogLine, Rejects } from '../sync-engine.js'
import type { ExportData } from './exports.js'
import type { ActivityLog } from '../activity-log.js'
import type { SyncAction } from '../../schemas/fixtures.js'

/** What every definition body holds; kinds add their own properties. */
export interface DefinitionBody {
  name: string
  fields: Record<string, string>
  identifierFieldName: string
  isSyncTriggeredOnImport: boolean
  syncActions?: SyncAction[]
}

export interface Definition<B extends DefinitionBody = DefinitionBody> extends StagingArea {
  readonly id: number
  readonly kind: DefinitionKind<B>
  /** The custom object of a custom object definition. */
  readonly parentId: number | undefined
  readonly createdAt: number
  readonly createdBy: string
  updatedAt: number
  updatedBy: string
  /** Replaced whole by PUT; a running sync keeps the one it started with. */
  body: B
}

/** Where a definition's rows go: its entity's fields and records, and the site's other entities for links. */
export interface KindScope {
  readonly catalogue: FieldCatalogue
  readonly table: EntityTable
  /** The contact and account fields and records, which custom object imports may link to. */
  readonly related: (entity: 'contacts' | 'accounts') => { catalogue: FieldCatalogue, table: EntityTable }
  /** `isSyncTriggeredOnImport` when an import body does not say. */
  readonly importSyncDefault: boolean
  /** `dataRetentionDuration` when an export body does not say. */
  readonly exportRetentionDefault: string
  /** Values the instance assigns a new record of this entity, such as ContactIDExt. */
  readonly derive?: ((id: number) => Record<string, string>) | undefined
  /** EXISTS in a filter: membership of a list, segment or filter of this entity, if it exists. */
  readonly container: (statement: string) => ((record: EntityRecord) => boolean) | undefined
  /** The site's activities, which activity exports read (their contacts are `related('contacts')`). */
  readonly activities: ActivityLog
  /** The scores a lead scoring model gave, by contact id, if the model exists. */
  readonly leadScores: (modelId: number) => ReadonlyMap<number, LeadScore> | undefined
}

/** A contact's score in one lead scoring model. */
export interface LeadScore { readonly rating: string, readonly profileScore: number, readonly engagementScore: number }

export interface ProcessInput<B extends DefinitionBody = DefinitionBody> {
  readonly syncId: number
  readonly syncUri: string
  readonly body: B
  readonly uploads: readonly StagedUpload[]
  /** When the sync ends: the time of every change it makes. */
  readonly endedAt: number
  /** What `prepare` took when the sync was created. */
  readonly prepared: unknown
  /** Rejects kept at most; the logs still count all. */
  readonly maxRejects: number
}

export interface ProcessOutcome { status: FinalStatus, logs: LogLine[], rejects: Rejects, data?: ExportData }

export interface DefinitionKind<B extends DefinitionBody = DefinitionBody> {
  /** The global list it appears in: `/syncActions` or `/imports`. */
  readonly family: 'syncActions' | 'imports' | 'exports'
  /** Whose records its rows are; activity exports read the site's activities (and their contacts). */
  readonly entity: Entity | 'activities'
  /** `{syncProductType}` of ELQ-00143, e.g. "SyncAction". */
  readonly productType: string
  /** The uri of a definition of this kind, e.g. /contacts/imports/5. */
  uri: (id: number, parentId: number | undefined) => string
  /** Checks a POST or PUT body; every problem is one `failures` entry (throws a 400). */
  read: (body: unknown, scope: KindScope) => B
  /** The definition as the API returns it, in Eloqua's key order. */
  view: (definition: Definition<B>, kbUsed: number) => object
  /** What a sync must take the moment it is created, before records change (an export's snapshot). */
  prepare?: (body: B, scope: KindScope) => unknown
  /** What a sync of it does with its staged rows, applied to the scope's records. */
  process: (input: ProcessInput<B>, scope: KindScope) => ProcessOutcome
  /**
   * How long staged uploads live unsynced, how long the definition lives after its last change,
   * and how long a sync's exported data lives after it ended; none: for ever.
   */
  lifetimes?: (body: B) => { stagedMs: number, definitionMs: number | undefined, dataMs?: number }
}

/** What every definition starts with in the API, in Eloqua's order. */
export function definitionHead (body: DefinitionBody): Pick<DefinitionBody, 'name' | 'fields' | 'identifierFieldName' | 'isSyncTriggeredOnImport'> {
  return { name: body.name, fields: body.fields, identifierFieldName: body.identifierFieldName, isSyncTriggeredOnImport: body.isSyncTriggeredOnImport }
}

/** What every definition ends with in the API, in Eloqua's order: its uri and audit fields. */
export function definitionTail (definition: Pick<Definition, 'uri' | 'createdBy' | 'createdAt' | 'updatedBy' | 'updatedAt'>): { uri: string, createdBy: string, createdAt: string, updatedBy: string, updatedAt: string } {
  return {
    uri: definition.uri,
    createdBy: definition.createdBy,
    createdAt: eloquaTimestamp(definition.createdAt),
    updatedBy: definition.updatedBy,
    updatedAt: eloquaTimestamp(definition.updatedAt)
  }
}
