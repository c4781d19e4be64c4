/**
 * The routes every family of definitions shares: list, create, retrieve, replace, delete, upload
 * data, delete data. Each family (custom object sync actions, contact imports, …) is one entry of
 * FAMILIES: its kind module, where it lives, and its operation ids.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { definitionRouteSchemas, routeSchemas, type DefinitionFamily, type DefinitionOperations } from '../../schemas/common.js'
import { paginate, type ListQuery } from '../../domain/lists.js'
import type { DefinitionKind } from '../../domain/kinds/kind.js'
import { accountSyncActions, contactSyncActions, customObjectSyncActions } from '../../domain/kinds/sync-actions.js'
import { accountImports, contactImports, customObjectImports } from '../../domain/kinds/imports.js'
import { accountExports, contactExports, customObjectExports } from '../../domain/kinds/exports.js'
import { activityExports } from '../../domain/kinds/activity-exports.js'
import { sendDataPage, type DataQuery } from './data-pages.js'

const TERMS = ['name', 'uri', 'identifierFieldName', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy']

interface FamilyRoutes extends DefinitionFamily {
  readonly kind: DefinitionKind
  /** e.g. /contacts/imports or /customObjects/:parentId/imports */
  readonly path: string
  readonly operations: DefinitionOperations
}

const asKind = (kind: unknown): DefinitionKind => kind as DefinitionKind

const SYNC_ACTIONS = { schema: 'SyncActionDefinition', tag: 'sync action definitions', acceptsSingleObject: false } as const
const IMPORTS = { schema: 'ImportDefinition', tag: 'import definitions', acceptsSingleObject: true } as const
const EXPORTS = { schema: 'ExportDefinition', tag: 'export definitions', acceptsSingleObject: false } as const

export const FAMILIES: readonly FamilyRoutes[] = [
  {
    ...SYNC_ACTIONS,
    kind: asKind(customObjectSyncActions),
    noun: 'custom object sync action definition',
    path: '/customObjects/:parentId/syncActions',
    underCustomObject: true,
    operations: { list: 'listSyncActionDefinitions', create: 'createSyncActionDefinition', get: 'getSyncActionDefinition', replace: 'replaceSyncActionDefinition', remove: 'deleteSyncActionDefinition', data: 'uploadSyncActionData', removeData: 'deleteSyncActionData' }
  },
  {
    ...SYNC_ACTIONS,
    kind: asKind(contactSyncActions),
    noun: 'contact sync action definition',
    path: '/contacts/syncActions',
    underCustomObject: false,
    operations: { list: 'listContactSyncActions', create: 'createContactSyncAction', get: 'getContactSyncAction', replace: 'replaceContactSyncAction', remove: 'deleteContactSyncAction', data: 'uploadContactSyncActionData', removeData: 'deleteContactSyncActionData' }
  },
  {
    ...SYNC_ACTIONS,
    kind: asKind(accountSyncActions),
    noun: 'account sync action definition',
    path: '/accounts/syncActions',
    underCustomObject: false,
    operations: { list: 'listAccountSyncActions', create: 'createAccountSyncAction', get: 'getAccountSyncAction', replace: 'replaceAccountSyncAction', remove: 'deleteAccountSyncAction', data: 'uploadAccountSyncActionData', removeData: 'deleteAccountSyncActionData' }
  },
  {
    ...IMPORTS,
    kind: asKind(contactImports),
    noun: 'contact import definition',
    path: '/contacts/imports',
    underCustomObject: false,
    operations: { list: 'listContactImports', create: 'createContactImport', get: 'getContactImport', replace: 'replaceContactImport', remove: 'deleteContactImport', data: 'uploadContactImportData', removeData: 'deleteContactImportData' }
  },
  {
    ...IMPORTS,
    kind: asKind(accountImports),
    noun: 'account import definition',
    path: '/accounts/imports',
    underCustomObject: false,
    operations: { list: 'listAccountImports', create: 'createAccountImport', get: 'getAccountImport', replace: 'replaceAccountImport', remove: 'deleteAccountImport', data: 'uploadAccountImportData', removeData: 'deleteAccountImportData' }
  },
  {
    ...IMPORTS,
    kind: asKind(customObjectImports),
    noun: 'custom object import definition',
    path: '/customObjects/:parentId/imports',
    underCustomObject: true,
    operations: { list: 'listCustomObjectImports', create: 'createCustomObjectImport', get: 'getCustomObjectImport', replace: 'replaceCustomObjectImport', remove: 'deleteCustomObjectImport', data: 'uploadCustomObjectImportData', removeData: 'deleteCustomObjectImportData' }
  },
  ...([['contacts', 'Contact', contactExports], ['accounts', 'Account', accountExports], ['activities', 'Activity', activityExports], ['customObjects', 'CustomObject', customObjectExports]] as const).map(([path, Entity, kind]): FamilyRoutes => ({
    ...EXPORTS,
    kind: asKind(kind),
    noun: `${Entity === 'CustomObject' ? 'custom object' : Entity.toLowerCase()} export definition`,
    path: path === 'customObjects' ? '/customObjects/:parentId/exports' : `/${path}/exports`,
    underCustomObject: path === 'customObjects',
    operations: { list: `list${Entity}Exports`, create: `create${Entity}Export`, get: `get${Entity}Export`, replace: `replace${Entity}Export`, remove: `delete${Entity}Export`, data: `get${Entity}ExportData`, removeData: `delete${Entity}ExportData` }
  }))
]

interface Params { parentId?: string, id: string }

function registerFamily (app: FastifyInstance, family: FamilyRoutes): void {
  const { store } = app
  const { kind, path, operations: op } = family
  const schemas = definitionRouteSchemas(family)
  const item = `${path}/:id`

  app.get<{ Params: { parentId?: string }, Querystring: ListQuery }>(path, { schema: schemas.list, config: { operation: op.list } }, async (request) => {
    const site = store.site(request.principal)
    const parentId = request.params.parentId === undefined ? undefined : site.resolveCustomObject(request.principal, request.params.parentId).id
    const definitions = site.definitions(request.principal, (k) => k === kind, parentId)
    return paginate(definitions, request.query, TERMS, (d) => site.definitionView(d))
  })

  app.post<{ Params: { parentId?: string } }>(path, { schema: schemas.create, config: { operation: op.create } }, async (request, reply) => {
    const site = store.site(request.principal)
    const definition = site.createDefinition(request.principal, kind, request.params.parentId, request.body)
    return reply.code(201).send(site.definitionView(definition))
  })

  app.get<{ Params: Params }>(item, { schema: schemas.get, config: { operation: op.get } }, async (request) => {
    const site = store.site(request.principal)
    return site.definitionView(site.resolveDefinition(request.principal, kind, request.params.parentId, request.params.id))
  })

  app.put<{ Params: Params }>(item, { schema: schemas.replace, config: { operation: op.replace } }, async (request) => {
    const site = store.site(request.principal)
    const definition = site.resolveDefinition(request.principal, kind, request.params.parentId, request.params.id)
    return site.definitionView(site.replaceDefinition(request.principal, definition, request.body))
  })

  app.delete<{ Params: Params }>(item, { schema: schemas.remove, config: { operation: op.remove } }, async (request, reply) => {
    const site = store.site(request.principal)
    site.deleteDefinition(site.resolveDefinition(request.principal, kind, request.params.parentId, request.params.id))
    return reply.code(204).send()
  })

  if (family.schema === 'ExportDefinition') {
    app.get<{ Params: Params, Querystring: DataQuery }>(`${item}/data`, { schema: schemas.data, config: { operation: op.data } }, async (request, reply) => {
      const site = store.site(request.principal)
      const definition = site.resolveDefinition(request.principal, kind, request.params.parentId, request.params.id)
      return sendDataPage(reply, site.definitionData(request.principal, definition), request.query)
    })
    app.delete<{ Params: Params }>(`${item}/data`, { schema: schemas.removeData, config: { operation: op.removeData } }, async (request, reply) => {
      const site = store.site(request.principal)
      site.deleteDefinitionData(site.resolveDefinition(request.principal, kind, request.params.parentId, request.params.id))
      return reply.code(204).send()
    })
    return
  }

  app.post<{ Params: Params, Body: unknown }>(`${item}/data`, {
    schema: schemas.data,
    // The definition is looked up before the body is judged, so a wrong path is a 404 whatever the body.
    attachValidation: true,
    config: { operation: op.data, records: true }
  }, (request, reply) => {
    // A synchronous handler: the hot path allocates no promise; fastify catches what it throws.
    const site = store.site(request.principal)
    const definition = site.resolveDefinition(request.principal, kind, request.params.parentId, request.params.id)
    if (request.validationError !== undefined) throw request.validationError
    // Non-null: a body that passed validation came through one of our parsers, which set `upload`.
    const { format, bytes, recordCount } = request.upload!
    const sync = site.stageUpload(definition, { format, bytes, recordCount }, request.principal)
    if (sync === undefined) reply.code(204).send()
    else reply.code(201).send(site.syncView(sync))
  })

  app.delete<{ Params: Params }>(`${item}/data`, { schema: schemas.removeData, config: { operation: op.removeData } }, async (request, reply) => {
    const site = store.site(request.principal)
    site.deleteStagedData(site.resolveDefinition(request.principal, kind, request.params.parentId, request.params.id))
    return reply.code(204).send()
  })
}

const definitions: FastifyPluginAsync = async (app) => {
  const { store } = app
  for (const family of FAMILIES) registerFamily(app, family)

  app.get<{ Querystring: ListQuery }>('/syncActions', { schema: routeSchemas.listAllSyncActionDefinitions, config: { operation: 'listAllSyncActionDefinitions' } }, async (request) => {
    const site = store.site(request.principal)
    return paginate(site.definitions(request.principal, (k) => k.family === 'syncActions'), request.query, TERMS, (d) => site.definitionView(d))
  })

  app.get('/imports/data', { schema: routeSchemas.getImportsDataUsage, config: { operation: 'getImportsDataUsage' } },
    async (request) => store.site(request.principal).dataUsage('imports'))

  app.get('/exports/data', { schema: routeSchemas.getExportsDataUsage, config: { operation: 'getExportsDataUsage' } },
    async (request) => store.site(request.principal).dataUsage('exports'))

  app.get<{ Querystring: ListQuery }>('/exports', { schema: routeSchemas.listAllExports, config: { operation: 'listAllExports' } }, async (request) => {
    const site = store.site(request.principal)
    return paginate(site.definitions(request.principal, (k) => k.family === 'exports'), request.query, TERMS, (d) => site.definitionView(d))
  })

  app.get<{ Querystring: ListQuery }>('/imports', { schema: routeSchemas.listAllImports, config: { operation: 'listAllImports' } }, async (request) => {
    const site = store.site(request.principal)
    return paginate(site.definitions(request.principal, (k) => k.family === 'imports'), request.query, TERMS, (d) => site.definitionView(d))
  })
}

export default definitions
