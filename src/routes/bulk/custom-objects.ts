/** `/customObjects`: the custom objects and fields the fixtures define. */
import type { FastifyPluginAsync } from 'fastify'
import { routeSchemas } from '../../schemas/common.js'
import { customObjectView, fieldView } from '../../domain/views.js'
import { paginate, type ListQuery } from '../../domain/lists.js'
import { notFound } from '../../domain/errors.js'
import { parseId } from '../../domain/definitions.js'

const customObjects: FastifyPluginAsync = async (app) => {
  const { store } = app

  app.get<{ Querystring: ListQuery }>('/customObjects', { schema: routeSchemas.listCustomObjects, config: { operation: 'listCustomObjects' } },
    async (request) => paginate(store.site(request.principal).customObjects(request.principal), request.query, ['name', 'uri', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy'], customObjectView))

  app.get<{ Params: { id: string } }>('/customObjects/:id', { schema: routeSchemas.getCustomObject, config: { operation: 'getCustomObject' } },
    async (request) => customObjectView(store.site(request.principal).resolveCustomObject(request.principal, request.params.id)))

  app.get<{ Params: { parentId: string }, Querystring: ListQuery }>('/customObjects/:parentId/fields', { schema: routeSchemas.listCustomObjectFields, config: { operation: 'listCustomObjectFields' } },
    async (request) => {
      const customObject = store.site(request.principal).resolveCustomObject(request.principal, request.params.parentId)
      return paginate(customObject.fields ?? [], request.query, ['name', 'internalName', 'dataType', 'uri'], (f) => fieldView(customObject, f))
    })

  app.get<{ Params: { parentId: string, id: string } }>('/customObjects/:parentId/fields/:id', { schema: routeSchemas.getCustomObjectField, config: { operation: 'getCustomObjectField' } },
    async (request) => {
      const customObject = store.site(request.principal).resolveCustomObject(request.principal, request.params.parentId)
      const field = customObject.fields?.find((f) => f.id === parseId(request.params.id))
      if (field === undefined) throw notFound(`custom object ${customObject.id} has no field ${request.params.id}`)
      return fieldView(customObject, field)
    })
}

export default customObjects
