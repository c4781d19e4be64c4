/** Where the package's own files are, from the built output (dist/) as from the sources (src/). */
import { fileURLToPath } from 'node:url'

/** The bundled fixtures. The bundled command (dist/server.js) resolves this from dist/ too. */
export const DEFAULT_FIXTURES_PATH = fileURLToPath(new URL('../fixtures', import.meta.url))
