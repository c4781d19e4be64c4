// No Docker engine runs where the tests run, so this proves the image instead: lint the
// Dockerfile, check its structure, then lay out the runtime stage's files in a temporary folder
// and run its CMD and HEALTHCHECK exactly as written. The RUN lines are never carried out here:
// the repo's own node_modules stands in for the production dependencies they install, and a
// check that the built code imports nothing but production dependencies stands in for --omit=dev.
import t from 'tap'
import { spawn } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { once } from 'node:events'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DockerfileParser, type Copy, type Env, type From, type Healthcheck, type Instruction } from 'dockerfile-ast'
import { validate } from 'dockerfile-utils'
import { parse } from 'yaml'
import { startServer } from './process.js'
import { loadConfig } from '../../src/config.js'
import { certificateNames, generateCertificates } from '../../src/tls.js'

// A CommonJS module whose types declare an ES default export: required, as its types describe it.
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as typeof import('@balena/dockerignore').default

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
const dockerfile = DockerfileParser.parse(text)
const stages = dockerfile.getFROMs() as From[]
const runtimeStart = stages.at(-1)?.getRange().start.line ?? 0
const runtime = dockerfile.getInstructions().filter((i) => i.getRange().start.line >= runtimeStart)
const buildStage = dockerfile.getInstructions().filter((i) => i.getRange().start.line < runtimeStart)
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string, dependencies: Record<string, string>, optionalDependencies: Record<string, string>, engines: { node: string }, scripts: Record<string, string> }

/** A node image pinned to one exact release: node:<major>.<minor>.<patch>-<variant>. */
const PINNED_NODE = /^node:(\d+)\.(\d+)\.(\d+)-([a-z0-9][a-z0-9.-]*)$/

function inRuntime<T extends Instruction = Instruction> (keyword: string): T[] {
  return runtime.filter((i) => i.getKeyword() === keyword) as T[]
}

function env (): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const instruction of inRuntime<Env>('ENV')) {
    for (const property of instruction.getProperties()) vars[property.getName()] = property.getUnescapedValue() ?? ''
  }
  return vars
}

/** The exec-form (JSON array) command after `CMD`, or undefined for the shell form. */
function execForm (content: string | null | undefined): string[] | undefined {
  const trimmed = content?.trim() ?? ''
  if (!trimmed.startsWith('[')) return undefined
  const parsed = JSON.parse(trimmed) as unknown
  return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined
}

function cmd (): string[] | undefined {
  return execForm(inRuntime('CMD').at(-1)?.getArgumentsContent())
}

function healthcheck (): { flags: Record<string, string>, command: string[] | undefined } {
  const instruction = inRuntime<Healthcheck>('HEALTHCHECK').at(-1)
  const flags = Object.fromEntries(instruction?.getFlags().map((f) => [f.getName(), f.getValue() ?? '']) ?? [])
  const content = instruction?.getArgumentsContent() ?? ''
  const subcommand = instruction?.getSubcommand()?.getValue()
  return { flags, command: subcommand === 'CMD' ? execForm(content.slice(content.indexOf('CMD') + 3)) : undefined }
}

/** Runs a command from the Dockerfile as the image would: `node` is this Node, cwd is the WORKDIR. */
async function run (command: string[], cwd: string, vars: Record<string, string>): Promise<number | null> {
  const [program, ...args] = command
  if (program !== 'node') throw new Error(`the image runs node, not ${program}`)
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...vars }, stdio: 'ignore', timeout: 30_000 })
  const [code] = await once(child, 'close') as [number | null]
  return code
}

/** Package names the compiled code imports, other than Node's own modules. */
function importedPackages (dir: string): Set<string> {
  const names = new Set<string>()
  const specifiers = /\b(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*(?:\(\s*)?['"]([^'"]+)['"]/g
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    // The command (server.js and its chunks) is bundled: the code of its packages is inside it.
    if (!file.endsWith('.js') || file === 'server.js' || file.startsWith('chunks')) continue
    for (const match of readFileSync(join(dir, file), 'utf8').matchAll(specifiers)) {
      const specifier = match[1] ?? match[2] ?? ''
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue
      names.add(specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/'))
    }
  }
  return names
}

t.test('the Dockerfile passes dockerfile-utils validation', async (t) => {
  t.strictSame(validate(text).map((d) => `${d.range.start.line + 1}: ${d.message}`), [])
})

t.test('both stages use the same node image, pinned to an exact release the package supports', async (t) => {
  t.equal(stages.length, 2, 'a build stage and a runtime stage')
  const images = stages.map((from) => from.getImage() ?? '')
  for (const image of images) t.match(image, PINNED_NODE, `${image} is pinned to an exact node:<major>.<minor>.<patch>-<variant> tag`)
  t.equal(new Set(images).size, 1, 'the same tag in both stages')
  const [, major = '0', minor = '0'] = PINNED_NODE.exec(images[0] ?? '') ?? []
  const [, needMajor = 'x', needMinor = 'x'] = /^>=(\d+)\.(\d+)/.exec(pkg.engines.node) ?? []
  t.ok(Number(major) > Number(needMajor) || (Number(major) === Number(needMajor) && Number(minor) >= Number(needMinor)), `Node ${major}.${minor} satisfies engines ${pkg.engines.node}`)
  t.ok(stages[0]?.getBuildStage(), 'the build stage is named, for COPY --from')
  t.not(stages[0]?.getBuildStage(), stages[1]?.getBuildStage())
})

t.test('the image says what it is: OCI labels with the package\'s version', async (t) => {
  const labels: Record<string, string> = {}
  for (const instruction of inRuntime('LABEL')) {
    for (const property of (instruction as unknown as { getProperties: () => Array<{ getName: () => string, getValue: () => string }> }).getProperties()) labels[property.getName()] = property.getValue().replace(/^"|"$/g, '')
  }
  t.strictSame(labels, {
    'org.opencontainers.image.title': 'eloqua-bulk-mock',
    'org.opencontainers.image.description': 'A local stand-in for the Oracle Eloqua Bulk API 2.0, for tests and development',
    'org.opencontainers.image.version': pkg.version,
    'org.opencontainers.image.licenses': 'MIT'
  })
})

t.test('npm start runs the built command without building it again; npm ci builds it (prepare)', async (t) => {
  t.equal(pkg.scripts.start, 'node dist/server.js')
  t.equal(pkg.scripts.prestart, undefined)
  t.equal(pkg.scripts.prepare, 'npm run build')
  t.match(buildStage.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent())[0], /^npm ci --ignore-scripts\b/, 'the build stage installs before its sources are there: no prepare')
})

t.test('the runtime stage: production dependencies, built code and fixtures, node user, exec-form CMD, health check', async (t) => {
  const vars = env()
  t.equal(vars.HOST, '0.0.0.0', 'ENV HOST=0.0.0.0: reachable from outside the container')
  t.equal(vars.NODE_ENV, 'production')
  t.strictSame(inRuntime('EXPOSE').map((i) => i.getArgumentsContent()), [vars.PORT], 'EXPOSE the port the server listens on')
  t.strictSame(inRuntime('WORKDIR').map((i) => i.getArgumentsContent()), ['/app'])

  const runs = inRuntime('RUN').map((i) => i.getArgumentsContent() ?? '')
  t.equal(runs.length, 1)
  t.match(runs[0], /^npm ci --omit=dev\b/, 'production dependencies only, from the lockfile')
  t.notMatch(runs[0], /--omit=optional|--no-optional/, 'optional dependencies kept: the command trims glibc\'s heap with koffi')

  const copies = inRuntime<Copy>('COPY').map((c) => ({ from: c.getFromFlag()?.getValue() ?? undefined, args: c.getArguments().map((a) => a.getValue()) }))
  const buildWorkdir = buildStage.filter((i) => i.getKeyword() === 'WORKDIR').at(-1)?.getArgumentsContent() ?? ''
  t.strictSame(copies, [
    { from: undefined, args: ['package.json', 'package-lock.json', './'] },
    { from: stages[0]?.getBuildStage(), args: [posix.join(buildWorkdir, 'dist'), './dist'] },
    { from: undefined, args: ['fixtures', './fixtures'] },
    { from: undefined, args: ['fixtures.schema.json', './'] }
  ], 'the manifest, the built dist/ from the build stage, fixtures/ and fixtures.schema.json')

  const users = inRuntime('USER')
  t.strictSame(users.map((i) => i.getArgumentsContent()), ['node'], 'runs as the unprivileged node user')
  const cmdInstructions = inRuntime('CMD')
  t.equal(cmdInstructions.length, 1)
  t.ok((users[0]?.getRange().start.line ?? Infinity) < (cmdInstructions[0]?.getRange().start.line ?? -1), 'USER comes before CMD')
  t.strictSame(cmd(), pkg.scripts.start?.split(' '), 'exec-form CMD (so SIGTERM reaches node), the same command as npm start')

  const check = healthcheck()
  t.strictSame(Object.keys(check.flags).sort(), ['interval', 'retries', 'start-period', 'timeout'])
  t.equal(check.command?.[0], 'node', 'exec-form health check with node: slim images have no curl')
  t.equal(check.command?.[1], '-e')

  for (const name of ['node_modules', 'dist', 'test', '.git']) t.match(readFileSync(join(ROOT, '.dockerignore'), 'utf8'), new RegExp(`^${name.replace('.', '\\.')}$`, 'm'))
})

t.test('every file a COPY takes from the build context is in it: .dockerignore leaves it out of none', async (t) => {
  const ignored = dockerignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'))
  const sources = dockerfile.getInstructions().filter((i): i is Copy => i.getKeyword() === 'COPY' && (i as Copy).getFromFlag() === null)
    .flatMap((copy) => copy.getArguments().slice(0, -1).map((a) => a.getValue().replace(/^\.\//, '')))
  t.ok(sources.includes('scripts/bundle-server.ts') && sources.includes('src'), sources.join(' '))
  for (const source of sources) {
    t.notOk(ignored.ignores(source), `${source} is sent to the builder`)
    t.ok(existsSync(join(ROOT, source)), `${source} exists`)
  }
})

t.test('the runtime files alone run the exact CMD, and the exact HEALTHCHECK tells up from down', async (t) => {
  t.ok(existsSync(join(ROOT, 'dist', 'server.js')), 'dist/ is built (npm test builds it first)')
  // The image's WORKDIR, filled by the runtime stage's COPY lines.
  const workdir = realpathSync(mkdtempSync(join(tmpdir(), 'image-')))
  t.teardown(() => rmSync(workdir, { recursive: true, force: true }))
  const buildWorkdir = buildStage.filter((i) => i.getKeyword() === 'WORKDIR').at(-1)?.getArgumentsContent() ?? '/'
  for (const copy of inRuntime<Copy>('COPY')) {
    const args = copy.getArguments().map((a) => a.getValue())
    const target = join(workdir, args.at(-1) ?? '.')
    for (const source of args.slice(0, -1)) {
      // What the build stage made in its WORKDIR is what `npm run build` made here.
      const from = copy.getFromFlag() === null ? join(ROOT, source) : join(ROOT, posix.relative(buildWorkdir, source))
      cpSync(from, args.at(-1)?.endsWith('/') === true ? join(target, posix.basename(source)) : target, { recursive: true })
    }
  }
  // The RUN line's production dependencies: the repo's own, and the code needs no others.
  symlinkSync(join(ROOT, 'node_modules'), join(workdir, 'node_modules'), 'dir')
  const imported = [...importedPackages(join(workdir, 'dist'))].sort()
  t.ok(imported.includes('fastify'), 'the import scan sees the code\'s packages')
  // npm ci --omit=dev installs optional dependencies too (koffi, which memory.ts loads when first needed).
  t.strictSame(imported.filter((name) => pkg.dependencies[name] === undefined && pkg.optionalDependencies[name] === undefined), [], 'dist/ imports production dependencies only')

  const vars = env()
  const command = cmd() ?? []
  const probe = healthcheck().command ?? []
  t.equal(command[0], 'node')
  // HOST is narrowed to loopback for the test (the image listens on 0.0.0.0), PORT to a free one.
  const server = await startServer(t, [], { ...vars, HOST: '127.0.0.1', PORT: '0' }, { cwd: workdir, command: command.slice(1) })
  const port = new URL(server.url).port
  const ready = JSON.parse(await server.waitForLine(/"msg":"eloqua-bulk-mock ready"/)) as { fixtures: string }
  t.equal(ready.fixtures, join(workdir, 'fixtures'), 'the bundled fixtures are read from the image\'s own folder')

  const res = await fetch(`${server.url}/api/bulk/2.0/customObjects/9/syncActions/6/data`, {
    method: 'POST',
    body: '[{"Id":"DLPSB000000000020"}]',
    headers: { authorization: `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}`, 'content-type': 'application/json' }
  })
  t.equal(res.status, 204, 'the bundled fixtures serve Oracle\'s example')
  t.equal(await run(probe, workdir, { ...vars, PORT: port }), 0, 'HEALTHCHECK command exits 0 while the server runs')

  t.ok(server.child.kill('SIGTERM'))
  t.strictSame(await server.exit, { code: 0, signal: null }, 'SIGTERM stops it cleanly')
  t.equal(await run(probe, workdir, { ...vars, PORT: port }), 1, 'HEALTHCHECK command exits 1 once the server is gone')
})

t.test('docker-compose.yml runs the image on loopback, with a fixtures volume and the same health check', async (t) => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { build: string, image: string, ports: string[], environment: Record<string, string>, volumes: string[], healthcheck: { test: string[] } }>
  }
  const service = compose.services.eloqua
  t.ok(service, 'one service named eloqua')
  t.equal(service?.build, '.', 'built from the repository when the image is missing')
  t.equal(service?.image, `\${ELOQUA_MOCK_IMAGE:-eloqua-bulk-mock:${pkg.version}}`, 'an image name of this version, ELOQUA_MOCK_IMAGE for another')
  t.equal(service?.ports.length, 1)
  const [, hostIp, hostPort, containerPort] = /^(?:([^:]+):)?(\$\{ELOQUA_MOCK_PORT:-\d+\}):(\d+)$/.exec(service?.ports[0] ?? '') ?? []
  t.equal(hostIp, '127.0.0.1', 'published on loopback only, not on every interface of the host')
  t.equal(hostPort, ['$', '{ELOQUA_MOCK_PORT:-8080}'].join(''), 'the host port from ELOQUA_MOCK_PORT, 8080 by default')
  t.equal(containerPort, env().PORT, 'the port the image listens on')
  t.equal(service?.environment.FIXTURES, '/fixtures')
  t.strictSame(service?.volumes, ['./fixtures:/fixtures:ro', 'eloqua-ca:/certs'])
  const imageCheck = healthcheck().command ?? []
  t.strictSame(service?.healthcheck.test.slice(0, 3), ['CMD', 'node', '-e'])
  t.equal(service?.healthcheck.test[3], imageCheck[2]?.replace("' + (process.env.PORT || 8080) + '", '8080'), 'the image\'s check with the port filled in')
})

t.test('docker-compose.yml: a client container reaches the mock as login.eloqua.com and the pod hosts over HTTPS, trusting the CA from a shared volume', async (t) => {
  interface Service { environment: Record<string, string>, volumes: string[], networks?: { default: { aliases: string[] } }, sysctls?: Record<string, string>, depends_on?: Record<string, { condition: string }>, profiles?: string[], command?: string[] }
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service>, volumes: Record<string, { driver_opts: Record<string, string> }> }
  const mock = compose.services.eloqua!
  const config = loadConfig(mock.environment)
  t.ok(config.TLS, 'HTTPS on')
  t.equal(config.TLS_PORT, 443, 'on the port a hard-wired https://login.eloqua.com reaches')
  t.equal(config.TLS_CA_OUT, '/certs/ca.pem')
  t.strictSame(mock.sysctls, { 'net.ipv4.ip_unprivileged_port_start': '0' }, 'the node user may listen on 443')
  t.strictSame(mock.networks?.default.aliases, ['login.eloqua.com', ...['01', '02', '03', '04', '05', '06', '07', '08'].map((pod) => `secure.p${pod}.eloqua.com`)])
  const certificate = new X509Certificate((await generateCertificates(certificateNames(config.TLS_HOSTNAMES))).cert)
  for (const alias of mock.networks?.default.aliases ?? []) t.not(certificate.checkHost(alias), undefined, `the certificate covers ${alias}`)

  const client = compose.services['example-client']!
  t.strictSame(client.profiles, ['example'], 'the example client runs only when asked for')
  t.strictSame(client.depends_on, { eloqua: { condition: 'service_healthy' } })
  t.strictSame(client.volumes, ['eloqua-ca:/certs:ro'], 'the same volume, read-only')
  for (const variable of ['NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE']) t.equal(client.environment[variable], '/certs/ca.pem', variable)
  t.match(client.command?.join(' '), "fetch('https://login.eloqua.com/id'", 'it hard-codes the login host')
  t.match(compose.volumes['eloqua-ca']?.driver_opts, { type: 'tmpfs', o: /uid=1000/ }, 'writable by the node user the image runs as')
})
