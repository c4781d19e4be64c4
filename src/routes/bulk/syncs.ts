/** `/syncs`: the syncs that process staged data. */
import type { FastifyPluginAsync } from 'fastify'
import { getSyncSchema } from '../../schemas/common.js'

const syncs: FastifyPluginAsync = async (app) => {
  app.get<{ Params: { id: string } }>('/syncs/:id', {
    schema: getSyncSchema,
    config: { operation: 'getSync' }
  }, async (request) => app.store.syncView(app.store.getSync(request.params.id)))
}

export default syncs
