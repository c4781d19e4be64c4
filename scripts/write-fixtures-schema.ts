// Writes fixtures.schema.json and the generated validators from the schemas in src/, the single
// source of the fixtures format and of the settings.
import { mkdirSync, writeFileSync } from 'node:fs'
import { fixturesFileSchema } from '../src/schemas/fixtures.js'
import { generatedValidators } from './generated-validators.js'

writeFileSync(new URL('../fixtures.schema.json', import.meta.url), `${JSON.stringify(fixturesFileSchema, null, 2)}\n`)
for (const { file, source } of generatedValidators()) {
  mkdirSync(new URL('.', file), { recursive: true })
  writeFileSync(file, source)
}
