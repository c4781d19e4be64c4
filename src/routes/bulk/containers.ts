/**
 * `/contacts/lists`, `/contacts/segments`, `/contacts/filters`, `/accounts/lists`: the containers of
 * the fixtures, with their statements; and `/contacts/scoring/models`, whose fields contact exports read.
 */
import type { FastifyPluginAsync } from 'fastify'
import { containerRouteSchemas, routeSchemas } from '../../schemas/common.js'
import { paginate, type ListQuery } from '../../domain/lists.js'
import { notFound } from '../../domain/errors.js'
import { parseId } from '../../domain/definitions.js'
import { CONTAINER_KINDS, type ContainerKind } from '../../domain/containers.js'
import type { OperationId } from '../../schemas/operations.js'

const TERMS = ['name', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy']

const ROUTES = [
  { kind: 'ContactList', list: 'listContactLists', get: 'getContactList', noun: 'contact lists' },
  { kind: 'ContactSegment', list: 'listContactSegments', get: 'getContactSegment', noun: 'contact segments' },
  { kind: 'ContactFilter', list: 'listContactFilters', get: 'getContactFilter', noun: 'contact filters' },
  { kind: 'AccountList', list: 'listAccountLists', get: 'getAccountList', noun: 'account lists' }
] as const satisfies ReadonlyArray<{ kind: ContainerKind, list: OperationId, get: OperationId, noun: string }>

const containers: FastifyPluginAsync = async (app) => {
  const { store } = app
  for (const { kind, list, get, noun } of ROUTES) {
    const { path } = CONTAINER_KINDS[kind]
    const schemas = containerRouteSchemas(kind, noun)
    app.get<{ Querystring: ListQuery }>(path, { schema: schemas.list, config: { operation: list } },
      async (request) => paginate(store.site(request.principal).containers(kind).map((c) => ({ ...c.fixture, view: c.view })), request.query, TERMS, (c) => c.view()))

    app.get<{ Params: { id: string } }>(`${path}/:id`, { schema: schemas.get, config: { operation: get } }, async (request) => {
      const id = parseId(request.params.id)
      const container = store.site(request.principal).containers(kind).find((c) => c.fixture.id === id)
      if (container === undefined) throw notFound(`no ${path.slice(1)} ${request.params.id}`)
      return container.view()
    })
  }

  app.get<{ Querystring: ListQuery }>('/contacts/scoring/models', { schema: routeSchemas.listScoringModels, config: { operation: 'listScoringModels' } },
    async (request) => paginate(store.site(request.principal).scoringModels().map((m) => ({ ...m.fixture, view: m.view })), request.query, TERMS, (m) => m.view()))

  app.get<{ Params: { id: string } }>('/contacts/scoring/models/:id', { schema: routeSchemas.getScoringModel, config: { operation: 'getScoringModel' } }, async (request) => {
    const id = parseId(request.params.id)
    const model = store.site(request.principal).scoringModels().find((m) => m.fixture.id === id)
    if (model === undefined) throw notFound(`no contacts/scoring/models ${request.params.id}`)
    return model.view()
  })
}

export default containers
