/**
 * Sync action definitions of custom objects, contacts and accounts (eloqua-reference §5–7): one
 * identifier field, up to ten actions; a sync matches each staged row to a record by that
 * identifier and applies the actions to it.
 */
import { eloquaTimestamp } from '../clock.js'
import { readDefinitionInput, type DefinitionInput, type IdentifierRule } from '../definitions.js'
import { applyEffects, processSync, type RecordKey } from '../sync-engine.js'
import type { FieldCatalogue } from '../statements.js'
import { indexSpec, type EntityTable } from '../entities.js'
import { definitionHead, definitionTail, type Definition, type DefinitionKind } from './kind.js'

export type SyncActionDefinition = Definition<DefinitionInput>

/** The identifier statements each entity's sync actions accept (eloqua-reference §6; Oracle's sync actions tutorial). */
export function identifierRule (catalogue: FieldCatalogue): IdentifierRule {
  if (catalogue.entity === 'customObjects') {
    const base = `{{CustomObject[${String(catalogue.parentId)}]`
    return { statements: [`${base}.ExternalId}}`, `${base}.Id}}`], exampleKey: 'ExternalId' }
  }
  if (catalogue.entity === 'contacts') {
    return { statements: ['{{Contact.Field(C_EmailAddress)}}', '{{Contact.Id}}', '{{Contact.Field(ContactIDExt)}}'], exampleKey: 'EmailAddress' }
  }
  return { statements: ['{{Account.Id}}', '{{Account.Field(CompanyIDExt)}}'], exampleKey: 'AccountId' }
}

/** How rows find records by a definition's one statement, which `read` has checked; the newest record wins when several match. */
export function recordKey (catalogue: FieldCatalogue, table: EntityTable, statement: string): RecordKey {
  const target = catalogue.resolve(statement)
  // A field statement the catalogue lacks (fixtures may leave out C_EmailAddress) matches nothing.
  if (target === undefined) return { find: () => undefined }
  const spec = indexSpec(target)
  return { find: (value) => table.find(spec, value).at(-1) }
}

/** A sync action definition as the API returns it, in Eloqua's key order. */
export function syncActionView (definition: SyncActionDefinition, kbUsed: number): object {
  const { body } = definition
  return {
    ...definitionHead(body),
    syncActions: body.syncActions,
    kbUsed,
    ...definitionTail(definition)
  }
}

function syncActionKind (entity: 'customObjects' | 'contacts' | 'accounts'): DefinitionKind<DefinitionInput> {
  return {
    family: 'syncActions',
    entity,
    productType: 'SyncAction',
    uri: (id, parentId) => entity === 'customObjects' ? `/customObjects/${String(parentId)}/syncActions/${id}` : `/${entity}/syncActions/${id}`,
    read: (body, scope) => readDefinitionInput(body, identifierRule(scope.catalogue)),
    view: syncActionView,
    process: (input, scope) => {
      const { body } = input
      const outcome = processSync({
        syncId: input.syncId,
        identifierFieldName: body.identifierFieldName,
        key: recordKey(scope.catalogue, scope.table, Object.values(body.fields)[0] as string),
        syncActions: body.syncActions,
        uploads: input.uploads,
        maxRejects: input.maxRejects
      })
      applyEffects(outcome.effects, input.syncUri, eloquaTimestamp(input.endedAt))
      return { status: outcome.status, logs: outcome.logs, rejects: outcome.rejects }
    }
  }
}

export const customObjectSyncActions = syncActionKind('customObjects')
export const contactSyncActions = syncActionKind('contacts')
export const accountSyncActions = syncActionKind('accounts')
