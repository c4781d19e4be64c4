// A second reference: plain fastify doing the same work as bench/bare-server.ts, so the bench
// shows how much of the gap is the framework and how much is the mock's own code.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
const staged: Buffer[] = []
app.removeContentTypeParser(['application/json'])
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
  try {
    const records: unknown = JSON.parse(body.toString('utf8'))
    if (!Array.isArray(records) || !records.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) throw new Error('not records')
    staged.push(body as Buffer)
    done(null, records)
  } catch (err) {
    done(err as Error)
  }
})
app.post('/api/bulk/2.0/customObjects/:parentId/syncActions/:id/data', (request, reply) => {
  if (request.headers.authorization !== 'Basic QVBJVGVzdFxBUEkuVXNlcjpzZWNyZXQ=') return reply.code(401).send()
  return reply.code(204).send()
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
