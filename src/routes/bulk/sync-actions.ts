/** `/customObjects/{parentId}/syncActions` and `/syncActions`: sync action definitions. */
import type { FastifyPluginAsync } from 'fastify'
import { routeSchemas } from '../../schemas/common.js'
import { paginate, type ListQuery } from '../../domain/lists.js'
import { definitionView } from '../../domain/views.js'

const TERMS = ['name', 'uri', 'identifierFieldName', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy']

interface One { Params: { parentId: string, id: string } }

const syncActions: FastifyPluginAsync = async (app) => {
  const { store } = app

  app.get<{ Querystring: ListQuery }>('/syncActions', { schema: routeSchemas.listAllSyncActionDefinitions, config: { operation: 'listAllSyncActionDefinitions' } },
    async (request) => paginate(store.syncActionDefinitions(request.principal), request.query, TERMS, definitionView))

  app.get<{ Params: { parentId: string }, Querystring: ListQuery }>('/customObjects/:parentId/syncActions', { schema: routeSchemas.listSyncActionDefinitions, config: { operation: 'listSyncActionDefinitions' } },
    async (request) => {
      const customObject = store.resolveCustomObject(request.principal, request.params.parentId)
      return paginate(store.syncActionDefinitions(request.principal, customObject.id), request.query, TERMS, definitionView)
    })

  app.post<{ Params: { parentId: string } }>('/customObjects/:parentId/syncActions', { schema: routeSchemas.createSyncActionDefinition, config: { operation: 'createSyncActionDefinition' } },
    async (request, reply) => {
      const definition = store.createSyncActionDefinition(request.principal, request.params.parentId, request.body)
      return reply.code(201).send(definitionView(definition))
    })

  app.get<One>('/customObjects/:parentId/syncActions/:id', { schema: routeSchemas.getSyncActionDefinition, config: { operation: 'getSyncActionDefinition' } },
    async (request) => definitionView(store.resolveSyncActionDefinition(request.principal, request.params.parentId, request.params.id)))

  app.put<One>('/customObjects/:parentId/syncActions/:id', { schema: routeSchemas.replaceSyncActionDefinition, config: { operation: 'replaceSyncActionDefinition' } },
    async (request) => {
      const definition = store.resolveSyncActionDefinition(request.principal, request.params.parentId, request.params.id)
      return definitionView(store.replaceSyncActionDefinition(request.principal, definition, request.body))
    })

  app.delete<One>('/customObjects/:parentId/syncActions/:id', { schema: routeSchemas.deleteSyncActionDefinition, config: { operation: 'deleteSyncActionDefinition' } },
    async (request, reply) => {
      store.deleteSyncActionDefinition(store.resolveSyncActionDefinition(request.principal, request.params.parentId, request.params.id))
      return reply.code(204).send()
    })
}

export default syncActions
