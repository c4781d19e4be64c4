/**
 * Applies fault rules and `Prefer: code=...` to every Eloqua request, before authentication, as a
 * failing gateway would. The only place faults act: routes and the domain never see them.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { EloquaError } from '../domain/errors.js'
import { preferredFault, type FaultResponse } from '../domain/faults.js'
import { sendEloquaError } from './errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes of the mock's own control surface, which faults never touch. */
    mockAdmin?: boolean
    /** Operation id, in Eloqua's naming, for logs and the OpenAPI description. */
    operation?: string
  }
}

/** Eloqua documents a body only for 400; a simulated 400 carries one so clients can parse it. */
function defaultBody (fault: FaultResponse): unknown {
  return fault.status === 400 ? { failures: [{ field: 'request', constraint: 'There was a validation error.' }] } : undefined
}

export default fp(async function faults (app) {
  app.addHook('onRequest', async function applyFaults (request: FastifyRequest, reply: FastifyReply) {
    if (request.routeOptions.config?.mockAdmin === true) return
    const prefer = typeof request.headers.prefer === 'string' ? request.headers.prefer : undefined
    if (prefer === undefined && app.faults.size === 0) return
    const fault = preferredFault(prefer) ?? app.faults.decide({
      method: request.method,
      path: request.url,
      params: request.params as Record<string, string | undefined>,
      headers: request.headers,
      identity: () => app.directory.claimedIdentity(request.headers.authorization)
    })
    if (fault === undefined) return
    request.log.info({ fault: fault.explanation }, 'fault injected')
    reply.header('x-mock-fault', fault.ruleName)
    if (fault.delayMs > 0) await sleep(fault.delayMs)
    if (fault.status === undefined) return
    for (const [name, value] of Object.entries(fault.headers)) reply.header(name, value)
    const error = new EloquaError(fault.status, `simulated by ${fault.explanation}`)
    return sendEloquaError(reply, error, fault.body ?? defaultBody(fault))
  })
}, { name: 'faults', dependencies: ['store', 'errors'] })
