/**
 * Eloqua authentication for the API scope: Basic `Site\User:password` through
 * @fastify/basic-auth, or `Authorization: Bearer <token>`. 401 when neither holds, 403 when the
 * user may not use the Bulk API.
 */
import fp from 'fastify-plugin'
import basicAuth from '@fastify/basic-auth'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { forbidden, unauthorized } from '../domain/errors.js'
import { bearerToken, mayUseBulkApi, type Principal } from '../domain/directory.js'
import { authenticatedAs } from './lean-upload.js'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal
  }
}

export default fp(async function auth (app) {
  app.decorateRequest('principal', null as unknown as Principal)

  await app.register(basicAuth, {
    strictCredentials: false,
    authenticate: { realm: 'Eloqua' },
    validate (login: string, password: string, request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) {
      const principal = app.directory.authenticateBasic(login, password)
      if (principal === undefined) {
        // Neither part of the credentials is echoed: a client that swapped them would leak its password.
        done(unauthorized('wrong credentials (expected Basic Site\\User:password of a fixture user)'))
        return
      }
      request.principal = principal
      // Non-null: @fastify/basic-auth called this for the header it read.
      app.directory.rememberBasic(request.headers.authorization!, principal)
      done()
    }
  })

  app.addHook('onRequest', function authenticate (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) {
    // Authenticated on its head by the lean upload path, which handed it over with its body.
    const handedOver = authenticatedAs(request.raw)
    if (handedOver !== undefined) {
      request.principal = handedOver
      done()
      return
    }
    const { authorization } = request.headers
    const verified = authorization === undefined ? undefined : app.directory.verifiedBasic(authorization)
    if (verified !== undefined) {
      request.principal = verified
      done()
      return
    }
    const token = bearerToken(authorization)
    if (token === undefined) {
      app.basicAuth(request, reply, done)
      return
    }
    const principal = app.directory.authenticateBearer(token)
    if (principal === undefined) {
      reply.header('www-authenticate', 'Bearer realm="Eloqua", error="invalid_token"')
      done(unauthorized('unknown bearer token'))
      return
    }
    request.principal = principal
    done()
  })

  app.addHook('onRequest', function authorize (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) {
    done(mayUseBulkApi(request.principal) ? undefined : forbidden(`user ${request.principal.loginName} may not use the Bulk API`))
  })
}, { name: 'auth', dependencies: ['store'] })
