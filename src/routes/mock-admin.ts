/** `/__mock/*`: the mock's own control surface for tests and health checks. Not Eloqua API; no auth. */
import type { FastifyPluginAsync } from 'fastify'

const mockAdmin: FastifyPluginAsync<{ version: string }> = async (app, options) => {
  app.get('/__mock/health', {
    config: { mockAdmin: true }
  }, async () => ({ status: 'ok', version: options.version }))

  app.get<{ Querystring: { records?: boolean } }>('/__mock/state', {
    config: { mockAdmin: true },
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { records: { type: 'boolean', default: true, description: 'Include the staged records themselves.' } }
      }
    }
  }, async (request) => ({
    ...app.store.snapshot({ records: request.query.records ?? true }),
    faults: app.faults.state()
  }))

  app.post('/__mock/reset', {
    config: { mockAdmin: true }
  }, async (request, reply) => {
    app.store.reset()
    app.faults.reset()
    request.log.info('state reset to fixtures')
    return reply.code(204).send()
  })
}

export default mockAdmin
