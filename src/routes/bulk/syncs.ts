/** `/syncs`: create syncs, follow them, read their logs and rejects. */
import type { FastifyPluginAsync } from 'fastify'
import { routeSchemas } from '../../schemas/common.js'
import { paginate, type ListQuery } from '../../domain/lists.js'
import { sendDataPage, type DataQuery } from './data-pages.js'

interface One { Params: { id: string }, Querystring: ListQuery }

const syncs: FastifyPluginAsync = async (app) => {
  const { store } = app

  app.post('/syncs', { schema: routeSchemas.createSync, config: { operation: 'createSync' } }, async (request, reply) => {
    const site = store.site(request.principal)
    const sync = site.createSync(request.principal, request.body)
    request.log.info({ sync: sync.uri, syncedInstanceUri: sync.syncedInstanceUri, site: site.name }, 'sync created')
    return reply.code(201).send(site.syncView(sync))
  })

  app.get<{ Querystring: ListQuery }>('/syncs', { schema: routeSchemas.listSyncs, config: { operation: 'listSyncs' } },
    async (request) => {
      const site = store.site(request.principal)
      return paginate(site.syncs(request.principal), request.query, ['syncedInstanceUri', 'status', 'createdAt', 'createdBy', 'uri', 'syncStartedAt', 'syncEndedAt'], (s) => site.syncView(s))
    })

  app.get<One>('/syncs/:id', { schema: routeSchemas.getSync, config: { operation: 'getSync' } },
    async (request) => {
      const site = store.site(request.principal)
      return site.syncView(site.getSync(request.principal, request.params.id))
    })

  app.get<One>('/syncs/:id/logs', { schema: routeSchemas.listSyncLogs, config: { operation: 'listSyncLogs' } },
    async (request) => paginate(store.site(request.principal).syncLogs(store.site(request.principal).getSync(request.principal, request.params.id)), request.query, ['statusCode', 'severity', 'count', 'message', 'createdAt']))

  app.get<{ Params: { id: string }, Querystring: DataQuery }>('/syncs/:id/data', { schema: routeSchemas.getSyncData, config: { operation: 'getSyncData' } }, async (request, reply) => {
    const site = store.site(request.principal)
    return sendDataPage(reply, site.syncData(request.principal, site.getSync(request.principal, request.params.id)), request.query)
  })

  app.delete<{ Params: { id: string } }>('/syncs/:id/data', { schema: routeSchemas.deleteSyncData, config: { operation: 'deleteSyncData' } }, async (request, reply) => {
    const site = store.site(request.principal)
    site.deleteSyncData(request.principal, site.getSync(request.principal, request.params.id))
    return reply.code(204).send()
  })

  app.get<One>('/syncs/:id/rejects', { schema: routeSchemas.listSyncRejects, config: { operation: 'listSyncRejects' } },
    async (request) => paginate(store.site(request.principal).syncRejects(store.site(request.principal).getSync(request.principal, request.params.id)), request.query, ['recordIndex', 'statusCode', 'message']))
}

export default syncs
