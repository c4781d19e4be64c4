/**
 * `GET /id`, the mock's login.eloqua.com/id: who the credentials belong to and where the APIs
 * are. The URLs point back at the mock as the client reached it (the Host header, and behind a
 * proxy X-Forwarded-* when trusted), so it works on localhost, as a compose service or behind a proxy;
 * a site's fixture may pin the host to a pod host instead. Failed authentication, a disabled user
 * and a user without API access answer 200 with the JSON string "Not authenticated.", as Eloqua does.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { mayUseBulkApi } from '../domain/directory.js'
import { routeSchemas } from '../schemas/common.js'

function firstHeader (request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  // A proxy chain lists one value per hop; the first is the client's.
  return typeof value === 'string' ? (value.split(',')[0] as string).trim() : undefined
}

/** `name` or `name:port`, `[v6]` or `[v6]:port`: what may stand between `//` and the path of a URL. */
export function isHost (value: string): boolean {
  if (value === '' || value.length > 261) return false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x3a || c === 0x5b || c === 0x5d || c === 0x5f
    if (!ok) return false
  }
  return URL.canParse(`http://${value}/`)
}

/**
 * The origin the client used, e.g. http://localhost:8080. X-Forwarded-Proto and -Host are read
 * only when TRUST_FORWARDED_HEADERS says a proxy of the user's sets them, and only valid values
 * are taken; a Host header that is no host name gives `localhost`.
 */
function origin (request: FastifyRequest, trustForwarded: boolean, podHost: string | undefined): string {
  const forwardedProto = trustForwarded ? firstHeader(request, 'x-forwarded-proto')?.toLowerCase() : undefined
  const proto = forwardedProto === 'http' || forwardedProto === 'https' ? forwardedProto : request.protocol
  const forwardedHost = trustForwarded ? firstHeader(request, 'x-forwarded-host') : undefined
  const host = [forwardedHost, request.host].find((h) => h !== undefined && isHost(h)) ?? 'localhost'
  if (podHost === undefined) return `${proto}://${host}`
  // A pinned pod host keeps the port the client used, unless it names its own.
  const port = podHost.includes(':') ? '' : new URL(`${proto}://${host}/`).port
  return `${proto}://${podHost}${port === '' ? '' : `:${port}`}`
}

const discovery: FastifyPluginAsync<{ trustForwardedHeaders: boolean }> = async (app, options) => {
  app.get('/id', { schema: routeSchemas.discovery, config: { operation: 'discover' } }, async (request, reply) => {
    const principal = app.directory.authenticate(request.headers.authorization)
    reply.type('application/json; charset=utf-8')
    // Eloqua answers so for a user without API access too (it needs "Advanced Users - Marketing").
    if (principal === undefined || !mayUseBulkApi(principal)) return reply.serializer(JSON.stringify).send('Not authenticated.')
    const base = origin(request, options.trustForwardedHeaders, principal.podHost)
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
