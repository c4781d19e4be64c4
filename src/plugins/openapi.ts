/**
 * The OpenAPI 3 description of every route, made by @fastify/swagger from the route schemas when
 * it is first asked for. Loading swagger and feeding it every route at start cost about a tenth of
 * the start-up time, for a document few runs read: so the routes are only noted as they are
 * added, and the first request builds a second, never-listening fastify instance with swagger and
 * the same routes, and keeps its document.
 */
import fp from 'fastify-plugin'
import type { FastifyContextConfig, FastifySchema, RouteOptions } from 'fastify'
import type { SwaggerOptions } from '@fastify/swagger'
import { serializerCompiler, validatorCompiler } from '../schemas/validators.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The OpenAPI document of this app's routes, built on first use. */
    openApiDocument: () => Promise<object>
  }
}

export interface OpenApiOptions {
  /** @fastify/swagger's options: the description's head, security schemes, transforms. */
  swagger: SwaggerOptions
  /** Schemas the route schemas $ref, registered with addSchema. */
  sharedSchemas: readonly object[]
}

type NotedRoute = Pick<RouteOptions, 'method' | 'url' | 'handler'> & { constraints: RouteOptions['constraints'] | undefined, schema: FastifySchema | undefined, config: FastifyContextConfig | undefined }

export default fp<OpenApiOptions>(async function openApi (app, { swagger: swaggerOptions, sharedSchemas }) {
  const routes: NotedRoute[] = []
  // HEAD routes fastify adds for each GET are left out of the description, as swagger leaves them out.
  app.addHook('onRoute', ({ method, url, handler, constraints, schema, config }) => {
    if (method !== 'HEAD') routes.push({ method, url, handler, constraints, schema, config })
  })

  let document: Promise<object> | undefined
  async function build (): Promise<object> {
    const [{ default: Fastify }, { default: swagger }] = await Promise.all([import('fastify'), import('@fastify/swagger')])
    const describer = Fastify({ logger: false, exposeHeadRoutes: false })
    for (const schema of sharedSchemas) describer.addSchema(schema)
    // The app's compilers, which compile nothing until a request comes: none comes here.
    describer.setValidatorCompiler(validatorCompiler)
    describer.setSerializerCompiler(serializerCompiler)
    await describer.register(swagger, swaggerOptions)
    // The handlers are the app's own, never called here: the describer never serves a request.
    // Constraints keep apart routes on one path (an in-process user may add such).
    for (const { method, url, handler, constraints, schema, config } of routes) {
      describer.route({ method, url, handler, ...(constraints && { constraints }), ...(schema && { schema }), ...(config && { config }) })
    }
    await describer.ready()
    const described = describer.swagger()
    await describer.close()
    return described
  }
  // One build, shared by requests that arrive while it runs.
  app.decorate('openApiDocument', () => (document ??= build()))
}, { name: 'openapi' })
