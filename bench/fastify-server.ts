// A second reference: plain fastify doing the same work as bench/bare-server.ts (check Basic
// credentials, keep the body's bytes, answer 204), with the records checked by an ajv schema as
// fastify does it, so the bench shows how much of the gap is the framework and how much is the
// mock's own code.
import { createHash, timingSafeEqual } from 'node:crypto'
import Fastify from 'fastify'

const expected = createHash('sha256').update('secret').digest()
const staged: Buffer[] = []

const app = Fastify({ logger: false })
app.removeContentTypeParser(['application/json'])
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
  try {
    done(null, { records: JSON.parse(body.toString('utf8')) as unknown, bytes: body })
  } catch (err) {
    done(err as Error)
  }
})
app.post<{ Body: { records: unknown[], bytes: Buffer } }>('/api/bulk/2.0/customObjects/:parentId/syncActions/:id/data', {
  schema: {
    params: { type: 'object', properties: { parentId: { type: 'integer' }, id: { type: 'integer' } } },
    body: { type: 'object', properties: { records: { type: 'array', items: { type: 'object' } } } }
  }
}, (request, reply) => {
  const auth = request.headers.authorization ?? ''
  const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (!auth.startsWith('Basic ') || decoded.slice(0, colon) !== 'APITest\\API.User' ||
    !timingSafeEqual(createHash('sha256').update(decoded.slice(colon + 1)).digest(), expected)) {
    return reply.code(401).send()
  }
  staged.push(request.body.bytes)
  return reply.code(204).send()
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
