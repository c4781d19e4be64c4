/**
 * The OAuth 2 endpoints of Eloqua's login host: `POST /auth/oauth2/token` (a JSON or form body,
 * the client by HTTP Basic) and `GET /auth/oauth2/authorize`. The work is in domain/oauth.ts.
 */
import type { FastifyPluginAsync } from 'fastify'
import { basicCredentials } from '../domain/directory.js'
import { OAuthError } from '../domain/oauth.js'
import { routeSchemas } from '../schemas/common.js'

/** Bodies of the token endpoint, form or JSON, are a few fields. */
const MAX_TOKEN_BODY_BYTES = 16 * 1024

const oauth: FastifyPluginAsync = async (app) => {
  // Form bodies, as most OAuth libraries send them; the platform's URLSearchParams reads them.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_TOKEN_BODY_BYTES }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })

  app.post<{ Body: unknown }>('/auth/oauth2/token', { bodyLimit: MAX_TOKEN_BODY_BYTES, schema: routeSchemas.createOAuthToken, config: { operation: 'createOAuthToken' } }, async (request, reply) => {
    const body = request.body !== null && typeof request.body === 'object' && !Array.isArray(request.body) ? request.body as Record<string, unknown> : {}
    // Tokens must not be stored by anything in between.
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
    try {
      return app.oauth.token(basicCredentials(request.headers.authorization), body)
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err
      if (err.status === 401) reply.header('www-authenticate', 'Basic realm="Eloqua"')
      return await reply.code(err.status).send(err.body)
    }
  })

  app.get<{ Querystring: Record<string, string | undefined> }>('/auth/oauth2/authorize', { schema: routeSchemas.authorizeOAuth, config: { operation: 'authorizeOAuth' } }, async (request, reply) => {
    const answer = app.oauth.authorize(request.query)
    if ('redirect' in answer) return await reply.redirect(answer.redirect, 302)
    return await reply.type('text/html; charset=utf-8').send(answer.page)
  })
}

export default oauth
