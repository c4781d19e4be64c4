import t from 'tap'
import { loadChevrotain } from '../../src/domain/chevrotain.js'

t.test('chevrotain comes from its one-file build, or from its entry when that cannot be found', async (t) => {
  const fromBundle = await loadChevrotain()
  t.type(fromBundle.createToken, 'function')
  const unresolvable = await loadChevrotain(() => { throw new Error('no such package') })
  t.type(unresolvable.createToken, 'function', 'the entry, when the package cannot be resolved')
  const missing = await loadChevrotain(() => '/nowhere/lib/src/api.js')
  t.type(missing.createToken, 'function', 'the entry, when the one-file build is not beside it')
})
