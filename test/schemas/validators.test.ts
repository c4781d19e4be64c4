// Validators and serializers are compiled once per schema for the process: apps built one after
// another (as tests and the in-process API build them) reuse them and add nothing.
import t from 'tap'
import { compiledSchemaCount } from '../../src/schemas/validators.js'
import { build, bulk } from '../helper.js'

t.test('a second app compiles no schema the first did not, and answers the same bytes', async (t) => {
  const first = await build(t)
  const answer = (await first.inject(bulk('GET', '/contacts/lists'))).body
  const count = compiledSchemaCount()
  t.ok(count > 50, `${count} compiled`)
  const second = await build(t)
  const third = await build(t)
  t.equal(compiledSchemaCount(), count)
  t.equal((await second.inject(bulk('GET', '/contacts/lists'))).body, answer)
  t.equal((await third.inject(bulk('GET', '/contacts/lists'))).body, answer)
})
