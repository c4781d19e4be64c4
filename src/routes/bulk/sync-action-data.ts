/** `POST /customObjects/{parentId}/syncActions/{id}/data`: stage records for a sync action definition. */
import type { FastifyPluginAsync } from 'fastify'
import { uploadSyncActionDataSchema } from '../../schemas/common.js'
import { parsingError } from '../../domain/errors.js'

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
  }, async (request, reply) => {
    const { store } = app
    const definition = store.resolveSyncActionDefinition(request.principal, request.params.parentId, request.params.id)
    if (request.validationError !== undefined) throw request.validationError
    if (request.upload === null) throw parsingError('body', 'Must be a JSON array of records or CSV with a header row.')
    const sync = store.stageUpload(definition, { ...request.upload, recordCount: request.body.length }, request.principal)
    if (sync === undefined) return reply.code(204).send()
    return reply.code(201).send(store.syncView(sync))
  })
}

export default syncActionData
