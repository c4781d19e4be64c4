/** `/customObjects/{parentId}/syncActions/{id}/data`: stage records for a sync action definition, or drop them. */
import type { FastifyPluginAsync } from 'fastify'
import { routeSchemas, uploadSyncActionDataSchema } from '../../schemas/common.js'

interface UploadRoute {
  Params: { parentId: string, id: string }
  Body: unknown[]
}

const syncActionData: FastifyPluginAsync = async (app) => {
  app.post<UploadRoute>('/customObjects/:parentId/syncActions/:id/data', {
    schema: uploadSyncActionDataSchema,
    // The definition is looked up before the body is judged, so a wrong path is a 404 whatever the body.
    attachValidation: true,
    config: { operation: 'uploadSyncActionData' }
  }, (request, reply) => {
    // A synchronous handler: the hot path allocates no promise; fastify catches what it throws.
    const { store } = app
    const definition = store.resolveSyncActionDefinition(request.principal, request.params.parentId, request.params.id)
    if (request.validationError !== undefined) throw request.validationError
    // Non-null: a body that passed validation came through one of our parsers, which set `upload`.
    const sync = store.stageUpload(definition, { ...request.upload!, recordCount: request.body.length }, request.principal)
    if (sync === undefined) reply.code(204).send()
    else reply.code(201).send(store.syncView(sync))
  })

  app.delete<{ Params: UploadRoute['Params'] }>('/customObjects/:parentId/syncActions/:id/data', {
    schema: routeSchemas.deleteSyncActionData,
    config: { operation: 'deleteSyncActionData' }
  }, async (request, reply) => {
    app.store.deleteStagedData(app.store.resolveSyncActionDefinition(request.principal, request.params.parentId, request.params.id))
    return reply.code(204).send()
  })
}

export default syncActionData
