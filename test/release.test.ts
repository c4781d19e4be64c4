// The release automation, read as a maintainer's CI would run it: on a version tag, tests on
// Node 20 and 24, npm publish with provenance, a multi-arch image; and a changelog to go with it.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

const ROOT = new URL('../', import.meta.url)
interface Step { uses?: string, run?: string, with?: Record<string, unknown> }
interface Job { needs?: string, permissions?: Record<string, string>, strategy?: { matrix: { node: number[] } }, steps: Step[] }
const workflow = parse(readFileSync(new URL('.github/workflows/release.yml', ROOT), 'utf8')) as { on: { push: { tags: string[] } }, jobs: Record<string, Job> }
const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { version: string }

t.test('a version tag runs the tests on Node 20 and 24, then publishes the package and the image', async (t) => {
  t.strictSame(workflow.on.push.tags, ['v*.*.*'])
  const { test, 'publish-npm': npm, 'publish-image': image } = workflow.jobs
  t.strictSame(test?.strategy?.matrix.node, [20, 24])
  t.strictSame(test?.steps.map((s) => s.run).filter((r) => r !== undefined && r.startsWith('npm')), ['npm ci --no-audit --no-fund', 'npm test', 'npm run test:consumer'])
  t.ok(test?.steps.some((s) => s.run?.includes('$GITHUB_REF_NAME') === true), 'the tag must be the package\'s version')
  t.equal(npm?.needs, 'test')
  t.equal(npm?.permissions?.['id-token'], 'write', 'provenance needs an OIDC token')
  const runs = npm?.steps.map((s) => s.run) ?? []
  t.ok(runs.indexOf('npm publish --provenance --access public') > runs.findIndex((r) => r?.startsWith('npm pkg set repository.type=git repository.url=') === true), 'the repository is named before a provenance publish')
  t.equal(image?.needs, 'test')
  const build = image?.steps.find((s) => s.uses?.startsWith('docker/build-push-action') === true)
  t.match(build?.with, { platforms: 'linux/amd64,linux/arm64', push: true })
})

t.test('the changelog follows Keep a Changelog and has the package\'s version', async (t) => {
  const changelog = readFileSync(new URL('CHANGELOG.md', ROOT), 'utf8')
  t.match(changelog, /^# Changelog\n/)
  t.match(changelog, '## [Unreleased]')
  t.match(changelog, `## [${pkg.version}]`)
  t.match(changelog, 'https://semver.org/')
})
