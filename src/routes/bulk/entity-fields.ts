/** `/contacts/fields` and `/accounts/fields`: the field catalogue of the fixtures, with the statements definitions use. */
import type { FastifyPluginAsync } from 'fastify'
import { routeSchemas } from '../../schemas/common.js'
import { entityFieldView, type FieldEntity } from '../../domain/views.js'
import { paginate, type ListQuery } from '../../domain/lists.js'
import { notFound } from '../../domain/errors.js'
import { parseId } from '../../domain/definitions.js'
import { ACTIVITY_FIELDS, activityFieldView, type ActivityType } from '../../domain/activities.js'

const TERMS = ['name', 'internalName', 'dataType', 'uri', 'createdAt', 'updatedAt']

const ROUTES = [
  { entity: 'contacts', list: 'listContactFields', get: 'getContactField' },
  { entity: 'accounts', list: 'listAccountFields', get: 'getAccountField' }
] as const satisfies ReadonlyArray<{ entity: FieldEntity, list: string, get: string }>

const entityFields: FastifyPluginAsync = async (app) => {
  const { store } = app

  app.get<{ Querystring: ListQuery & { activityType?: ActivityType } }>('/activities/fields', { schema: routeSchemas.listActivityFields, config: { operation: 'listActivityFields' } }, async (request) => {
    const { activityType } = request.query
    const fields = activityType === undefined ? ACTIVITY_FIELDS : ACTIVITY_FIELDS.filter((f) => f.activityTypes.includes(activityType))
    return paginate(fields, request.query, TERMS, activityFieldView)
  })

  app.get<{ Params: { id: string } }>('/activities/fields/:id', { schema: routeSchemas.getActivityField, config: { operation: 'getActivityField' } }, async (request) => {
    const id = parseId(request.params.id)
    const field = ACTIVITY_FIELDS.find((f) => f.id === id)
    if (field === undefined) throw notFound(`no activity field ${request.params.id}`)
    return activityFieldView(field)
  })

  for (const { entity, list, get } of ROUTES) {
    app.get<{ Querystring: ListQuery }>(`/${entity}/fields`, { schema: routeSchemas[list], config: { operation: list } },
      async (request) => paginate(store.entityFields(entity), request.query, TERMS, (f) => entityFieldView(entity, f)))

    app.get<{ Params: { id: string } }>(`/${entity}/fields/:id`, { schema: routeSchemas[get], config: { operation: get } },
      async (request) => {
        const id = parseId(request.params.id)
        const field = store.entityFields(entity).find((f) => f.id === id)
        if (field === undefined) throw notFound(`no ${entity.slice(0, -1)} field ${request.params.id}`)
        return entityFieldView(entity, field)
      })
  }
}

export default entityFields
