/**
 * `GET /id`, the mock's login.eloqua.com/id: who the credentials belong to and where the APIs
 * are. The URLs point back at the mock as the client reached it (Host and X-Forwarded-* headers),
 * so it works on localhost, as a compose service or behind a proxy. Failed authentication answers
 * 200 with the JSON string "Not authenticated.", as Eloqua does.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { routeSchemas } from '../schemas/common.js'

function firstHeader (request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  // A proxy chain lists one value per hop; the first is the client's.
  return typeof value === 'string' ? (value.split(',')[0] as string).trim() : undefined
}

/** The origin the client used, e.g. http://localhost:8080 or https://eloqua-mock.example. */
function origin (request: FastifyRequest): string {
  const proto = firstHeader(request, 'x-forwarded-proto') ?? request.protocol
  const host = firstHeader(request, 'x-forwarded-host') ?? request.host
  return `${proto}://${host}`
}

const discovery: FastifyPluginAsync = async (app) => {
  app.get('/id', { schema: routeSchemas.discovery, config: { operation: 'discover' } }, async (request, reply) => {
    const principal = app.directory.authenticate(request.headers.authorization)
    reply.type('application/json; charset=utf-8')
    if (principal === undefined) return reply.serializer(JSON.stringify).send('Not authenticated.')
    const base = origin(request)
    const { user } = principal
    return reply.serializer(JSON.stringify).send({
      site: { id: principal.siteId, name: principal.siteName },
      user: {
        id: user.id,
        username: user.username,
        displayName: user.displayName ?? user.username,
        firstName: user.firstName ?? '',
        lastName: user.lastName ?? '',
        emailAddress: user.emailAddress ?? ''
      },
      urls: {
        base,
        apis: {
          soap: {
            standard: `${base}/API/{version}/Service.svc`,
            dataTransfer: `${base}/API/{version}/DataTransferService.svc`,
            email: `${base}/API/{version}/EmailService.svc`,
            externalAction: `${base}/API/{version}/ExternalActionService.svc`
          },
          rest: {
            standard: `${base}/API/REST/{version}/`,
            bulk: `${base}/API/Bulk/{version}/`
          }
        }
      }
    })
  })
}

export default discovery
