// The package as a consumer gets it: `npm pack`, installed in a new project outside the
// repository, with the README's node:test and vitest examples run as they are written, two
// test files in parallel on two sites of one shared mock, and a type check with skipLibCheck
// off that must pass on good code and fail on a wrong option. Run by .ci/run after `npm test`
// (it installs typescript, @types/node and vitest from the registry into a temporary folder).
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'eloqua-consumer-'))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function run (command: string, args: string[], env: Record<string, string> = {}): string {
  const result = spawnSync(command, args, { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 180_000 })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${String(result.status)}\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

/** The README's code blocks whose first line is `// file: <name> …`, by name. */
function readmeFiles (): Map<string, string> {
  const files = new Map<string, string>()
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  for (const block of readme.split('```').filter((_, i) => i % 2 === 1)) {
    const body = block.slice(block.indexOf('\n') + 1)
    const name = /^\/\/ file: (\S+)/.exec(body)?.[1]
    if (name !== undefined) files.set(name, body)
  }
  return files
}

try {
  execFileSync(npm, ['pack', '--pack-destination', dir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'))!
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`, 'typescript@5.9', '@types/node@20', 'vitest@3'])

  const examples = readmeFiles()
  for (const name of ['upload.test.mjs', 'upload.vitest.test.ts', 'shared.test.mjs']) {
    if (!examples.has(name)) throw new Error(`the README has no example ${name}`)
  }
  writeFileSync(join(dir, 'upload.test.mjs'), examples.get('upload.test.mjs')!)
  writeFileSync(join(dir, 'upload.vitest.test.ts'), examples.get('upload.vitest.test.ts')!)
  // Two copies of the shared example, run in parallel against one mock, each on its own site.
  writeFileSync(join(dir, 'shared-a.test.mjs'), examples.get('shared.test.mjs')!)
  writeFileSync(join(dir, 'shared-b.test.mjs'), examples.get('shared.test.mjs')!)
  writeFileSync(join(dir, 'shared.mjs'), [
    "import { spawn } from 'node:child_process'",
    "import { once } from 'node:events'",
    "import { startMock } from 'eloqua-bulk-mock'",
    'const mock = await startMock()',
    '// Asynchronously: the mock serves from this process while the tests run.',
    "const child = spawn(process.execPath, ['--test', '--test-concurrency=2', 'shared-a.test.mjs', 'shared-b.test.mjs'], { env: { ...process.env, ELOQUA_MOCK_URL: mock.url }, stdio: 'inherit' })",
    "const [status] = await once(child, 'exit')",
    'const run = { status }',
    'const sites = (await mock.journal()).map((e) => e.site)',
    'await mock.close()',
    "if (run.status !== 0 || new Set(sites).size !== 2) { console.error('shared run failed', run.status, sites); process.exit(1) }",
    "console.log('two files in parallel, two sites:', [...new Set(sites)].join(', '))"
  ].join('\n'))

  process.stdout.write(run(process.execPath, ['--test', 'upload.test.mjs']).split('\n').filter((line) => /^# (pass|fail)/.test(line)).join('\n') + '\n')
  process.stdout.write(run(process.execPath, ['shared.mjs']).split('\n').filter((line) => line.startsWith('two files')).join('\n') + '\n')
  process.stdout.write(run(join(dir, 'node_modules', '.bin', 'vitest'), ['run', 'upload.vitest.test.ts']).split('\n').filter((line) => /Tests\s/.test(line)).join('\n') + '\n')

  // Types, with the library's own declarations checked too.
  const tsconfig = { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] } }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ ...tsconfig, files: ['typed.ts'] }))
  writeFileSync(join(dir, 'typed.ts'), [
    "import { MockAdmin, startMock, type FixturesFile, type JournalEntry } from 'eloqua-bulk-mock'",
    "const fixtures: FixturesFile = { sites: [{ id: 1, name: 'S', users: [{ id: 1, username: 'U', password: 'p' }] }] }",
    'const mock = await startMock({ fixtures, config: { SYNC_ACTIVE_MS: 0 } })',
    'const entries: JournalEntry[] = await new MockAdmin(mock.url).journal({ status: \'2xx\' })',
    'console.log(entries.length)',
    'await mock.close()',
    'export {}'
  ].join('\n'))
  run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'])
  writeFileSync(join(dir, 'tsconfig.wrong.json'), JSON.stringify({ ...tsconfig, files: ['wrong.ts'] }))
  writeFileSync(join(dir, 'wrong.ts'), "import { startMock } from 'eloqua-bulk-mock'\nawait startMock({ config: { SYNC_ACTIVE_MS: 'soon' } })\nexport {}\n")
  const wrong = spawnSync(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.wrong.json'], { cwd: dir, encoding: 'utf8' })
  if (wrong.status === 0 || !/^wrong\.ts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/.test(wrong.stdout)) {
    throw new Error(`a wrong option was not a type error:\n${wrong.stdout}`)
  }
  console.log('types: the README-style code type-checks with skipLibCheck off; a wrong option is error TS2322')
  console.log('consumer check passed')
} finally {
  rmSync(dir, { recursive: true, force: true })
}
