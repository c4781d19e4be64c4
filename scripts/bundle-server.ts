// Makes dist/server.js, the command, into one ESM file with the code it needs at start (fastify,
// ajv, pino, the mock's modules) and chunks under dist/chunks/ for what loads only when used (the
// certificate library, the OpenAPI generator). Resolving and reading some 400 modules one by one
// took about 150 ms of every start, more than any other step. `npm run build` runs it after tsc,
// which still writes every module (the package's in-process API and its types) beside it.
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url))

rmSync(root('dist/chunks'), { recursive: true, force: true })
await build({
  entryPoints: { server: root('src/server.ts') },
  outdir: root('dist'),
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.12',
  // Maps to the sources' lines, without copies of the sources: stack traces under --enable-source-maps.
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  // An optional dependency with a native part, loaded when first needed (memory.ts): resolved from node_modules at run time.
  external: ['koffi'],
  // Bundled CommonJS modules require Node's built-in modules.
  banner: { js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);" }
})
