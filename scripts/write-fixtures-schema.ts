// Writes fixtures.schema.json from src/schemas/fixtures.ts, the single source of the format.
import { writeFileSync } from 'node:fs'
import { fixturesFileSchema } from '../src/schemas/fixtures.js'

writeFileSync(new URL('../fixtures.schema.json', import.meta.url), `${JSON.stringify(fixturesFileSchema, null, 2)}\n`)
