/**
 * A route's config (its operation id, whether it is a control route), read once per request:
 * fastify builds a new `routeOptions` object at every read, and several hooks need it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'

type RouteConfig = FastifyRequest['routeOptions']['config']

declare module 'fastify' {
  interface FastifyRequest {
    /** Filled by routeConfig() on its first call. */
    routeConfigRead: FastifyRequest['routeOptions']['config'] | undefined
  }
}

export function decorateRouteConfig (app: FastifyInstance): void {
  app.decorateRequest('routeConfigRead', undefined)
}

export function routeConfig (request: FastifyRequest): RouteConfig {
  return (request.routeConfigRead ??= request.routeOptions.config)
}
