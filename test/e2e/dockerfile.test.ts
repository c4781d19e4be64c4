// No Docker engine runs where the tests run, so this proves the image instead: lint the
// Dockerfile, then carry out its runtime stage step by step in a temporary folder and run its
// CMD and HEALTHCHECK exactly as written.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DockerfileParser, type Instruction } from 'dockerfile-ast'
import { validate } from 'dockerfile-utils'
import { parse } from 'yaml'
import { startServer } from './process.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
const dockerfile = DockerfileParser.parse(text)
const stages = dockerfile.getFROMs()
const runtimeStart = stages.at(-1)?.getRange().start.line ?? 0
const runtime = dockerfile.getInstructions().filter((i) => i.getRange().start.line >= runtimeStart)

function jsonArgs (instruction: Instruction, skip = ''): string[] {
  return JSON.parse(instruction.getArgumentsContent()?.slice(skip.length).trim() ?? '[]') as string[]
}

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  return typeof address === 'object' && address !== null ? address.port : 0
}

t.test('the Dockerfile passes dockerfile-utils validation', async (t) => {
  t.strictSame(validate(text).map((d) => `${d.range.start.line + 1}: ${d.message}`), [])
})

t.test('the Dockerfile follows the image rules: pinned node 20, two stages, node user, exec-form CMD', async (t) => {
  t.equal(stages.length, 2)
  for (const from of stages) t.match(from.getImage(), /^node:20\.\d+\.\d+-bookworm-slim$/, 'pinned to an exact Node 20 release')
  const keyword = (k: string): Instruction[] => runtime.filter((i) => i.getKeyword() === k)
  t.equal(keyword('USER')[0]?.getArgumentsContent(), 'node')
  t.equal(keyword('EXPOSE')[0]?.getArgumentsContent(), '8080')
  t.strictSame(jsonArgs(keyword('CMD')[0]!), ['node', 'dist/server.js'])
  t.match(keyword('HEALTHCHECK')[0]?.getArgumentsContent(), /^CMD \["node", "-e", /, 'health check in exec form with node, no curl')
  t.match(keyword('RUN')[0]?.getArgumentsContent(), /npm ci --omit=dev/, 'production dependencies only')
  for (const name of ['node_modules', 'dist', 'test', '.git']) t.match(readFileSync(join(ROOT, '.dockerignore'), 'utf8'), new RegExp(`^${name.replace('.', '\\.')}$`, 'm'))
})

t.test('the runtime stage, carried out step by step, starts and answers its health check', async (t) => {
  const dist = join(ROOT, 'dist', 'server.js')
  t.ok(existsSync(dist), 'dist/ is built (npm test builds it first)')
  const workdir = mkdtempSync(join(tmpdir(), 'image-'))
  const env: Record<string, string> = {}
  for (const instruction of runtime) {
    const args = instruction.getArguments().map((a) => a.getValue())
    switch (instruction.getKeyword()) {
      case 'ENV':
        for (const pair of args) {
          const [name = '', value = ''] = pair.split('=')
          env[name] = value
        }
        break
      case 'COPY': {
        const fromStage = /--from=/.test(instruction.getTextContent())
        const target = join(workdir, args.at(-1) ?? '.')
        for (const source of args.slice(0, -1)) {
          // The build stage's /app/dist is what `npm run build` made here.
          const from = fromStage ? join(ROOT, source.replace(/^\/app\//, '')) : join(ROOT, source)
          cpSync(from, target.endsWith('/') ? join(target, source.split('/').at(-1) ?? source) : target, { recursive: true })
        }
        break
      }
      case 'RUN': {
        const command = instruction.getArgumentsContent() ?? ''
        const result = spawnSync('sh', ['-c', command], { cwd: workdir, env: { ...process.env, ...env }, encoding: 'utf8' })
        t.equal(result.status, 0, `RUN ${command}\n${result.stderr}`)
        break
      }
    }
  }
  t.notOk(existsSync(join(workdir, 'node_modules', 'typescript')), 'no dev dependencies in the image')
  t.notOk(existsSync(join(workdir, 'node_modules', 'tap')))
  t.ok(existsSync(join(workdir, 'node_modules', 'fastify')))

  const port = String(await freePort())
  const cmd = jsonArgs(runtime.find((i) => i.getKeyword() === 'CMD')!)
  t.equal(cmd[0], 'node')
  // HOST is narrowed to loopback for the test; the image listens on 0.0.0.0.
  const server = await startServer(t, [], { ...env, PORT: port, HOST: '127.0.0.1' }, { cwd: workdir, command: cmd.slice(1) })
  t.equal(new URL(server.url).port, port)

  const healthcheck = jsonArgs(runtime.find((i) => i.getKeyword() === 'HEALTHCHECK')!, 'CMD')
  const probe = spawnSync(healthcheck[0] === 'node' ? process.execPath : healthcheck[0]!, healthcheck.slice(1), { env: { ...process.env, ...env, PORT: port }, encoding: 'utf8' })
  t.equal(probe.status, 0, 'HEALTHCHECK command exits 0')

  const res = await fetch(`${server.url}/api/bulk/2.0/customObjects/9/syncActions/6/data`, {
    method: 'POST',
    body: '[{"Id":"DLPSB000000000020"}]',
    headers: { authorization: `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}`, 'content-type': 'application/json' }
  })
  t.equal(res.status, 204, 'the bundled fixtures are in the image')
  server.child.kill('SIGTERM')
  t.strictSame(await server.exit, { code: 0, signal: null })

  const down = spawnSync(process.execPath, healthcheck.slice(1), { env: { ...process.env, PORT: port }, encoding: 'utf8' })
  t.equal(down.status, 1, 'HEALTHCHECK fails once the server is gone')
})

t.test('docker-compose.yml runs the image with a fixtures volume and the same health check', async (t) => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { build: string, ports: string[], environment: Record<string, string>, volumes: string[], healthcheck: { test: string[] } }>
  }
  const service = compose.services.eloqua
  t.ok(service, 'one service named eloqua')
  t.equal(service?.build, '.')
  t.strictSame(service?.ports, ['8080:8080'])
  t.equal(service?.environment.FIXTURES, '/fixtures')
  t.strictSame(service?.volumes, ['./fixtures:/fixtures:ro'])
  const imageCheck = jsonArgs(runtime.find((i) => i.getKeyword() === 'HEALTHCHECK')!, 'CMD')
  t.strictSame(service?.healthcheck.test.slice(0, 3), ['CMD', 'node', '-e'])
  t.equal(service?.healthcheck.test[3], imageCheck[2]?.replace("' + (process.env.PORT || 8080) + '", '8080'))
})
