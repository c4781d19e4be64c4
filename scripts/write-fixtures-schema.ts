// Writes fixtures.schema.json from src/schemas/fixtures.ts, the single source of the format.
import { writeFileSync } from 'node:fs'
import { fixturesFileSchema } from '../src/schemas/fixtures.js'

export function fixturesSchemaJson (): string {
  return `${JSON.stringify(fixturesFileSchema, null, 2)}\n`
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../fixtures.schema.json', import.meta.url), fixturesSchemaJson())
}
