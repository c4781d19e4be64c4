// How long an export filter takes over 1,000,000 contacts: compiled once, then run over every
// record, as an export sync does. Prints the figure; asserts nothing.
import { compileFilter, parseFilter, type FilterColumn } from '../src/domain/filters.js'
import { EntityTable } from '../src/domain/entities.js'

const COUNT = Number(process.env.BENCH_FILTER_RECORDS ?? 1_000_000)
const countries = ['Belgium', 'Brazil', 'Canada', 'United States', 'United Kingdom']
const table = new EntityTable(Array.from({ length: COUNT }, (_, i) => ({
  id: i + 1,
  fieldValues: { C_EmailAddress: `user${i}@${i % 3 === 0 ? 'example.com' : 'example.org'}`, C_Country: countries[i % countries.length] as string, C_Score: String(i % 100) }
})))
const columns: Record<string, FilterColumn> = {
  '{{Contact.Field(C_EmailAddress)}}': { read: (r) => r.fieldValues.C_EmailAddress ?? '', type: 'text' },
  '{{Contact.Field(C_Country)}}': { read: (r) => r.fieldValues.C_Country ?? '', type: 'text' },
  '{{Contact.Field(C_Score)}}': { read: (r) => r.fieldValues.C_Score ?? '', type: 'number' }
}
const filter = "'{{Contact.Field(C_EmailAddress)}}' ~ '%@example.com' AND ('{{Contact.Field(C_Country)}}' = 'belgium' OR '{{Contact.Field(C_Country)}}' ~ 'United%') AND NOT '{{Contact.Field(C_Score)}}' < 50"
const records = [...table.records()]
const started = performance.now()
const { predicate } = compileFilter(parseFilter(filter), { column: (s) => columns[s], container: () => undefined })
let kept = 0
for (const record of records) if (predicate(record)) kept++
const ms = performance.now() - started
console.log(`export filter over ${COUNT.toLocaleString('en')} contacts (LIKE, =, OR, NOT, <): ${ms.toFixed(0)} ms, ${kept.toLocaleString('en')} kept`)
