// The worker side of sandbox.ts: apps built with the test helper, driven by messages.
import { parentPort, workerData } from 'node:worker_threads'
import type { FastifyInstance } from 'fastify'
import { build, defaultFixtures } from '../helper.js'
import type { Config } from '../../src/config.js'
import type { Clock } from '../../src/domain/clock.js'
import type { SandboxReply, SandboxRequest } from './sandbox.js'

const port = parentPort as NonNullable<typeof parentPort>
const { configs } = workerData as { configs: Record<string, Partial<Config>> }

// The bundled fixtures without their request fault rules (those fire on X-Mock-Scenario and on
// uploads to definition 12): a 5xx or a refusal is then always the mock's own answer. The sync
// rules of definitions 14-16 stay, so shaped syncs are fuzzed too.
const bundled = defaultFixtures()
const fixtures = { ...bundled, faults: bundled.faults.filter((rule) => !('response' in rule)) }

const apps = new Map<string, FastifyInstance & { clock: Clock }>()
for (const [name, config] of Object.entries(configs)) {
  apps.set(name, await build({ teardown: () => {} }, { config, fixtures }))
}

async function handle (message: SandboxRequest): Promise<SandboxReply> {
  const app = apps.get(message.app) as FastifyInstance & { clock: Clock }
  if (message.kind === 'advance') {
    app.clock.advance(message.ms)
    return { id: message.id, kind: 'done' }
  }
  const { method, url, headers, payload } = message.request
  try {
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : Buffer.from(payload) })
    })
    return { id: message.id, kind: 'answer', status: res.statusCode, headers: res.headers as Record<string, string>, body: res.body }
  } catch (err) {
    return { id: message.id, kind: 'rejected', error: (err as Error).stack ?? String(err) }
  }
}

port.on('message', (message: SandboxRequest) => {
  handle(message).then((reply) => port.postMessage(reply), (err: unknown) => { throw err })
})
port.postMessage({ id: 0, kind: 'ready' } satisfies SandboxReply)
