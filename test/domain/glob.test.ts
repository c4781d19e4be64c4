import t from 'tap'
import { PathPattern, starMatcher } from '../../src/domain/glob.js'

t.test('starMatcher: * is any run of characters, the rest literal, case ignored', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['abc', 'ABC', true], ['abc', 'abcd', false], ['*', '', true], ['a*', 'abc', true], ['*c', 'abc', true],
    ['a*c', 'ac', true], ['a*c', 'abbbc', true], ['a*b*c', 'aXbYc', true], ['a*b*c', 'acb', false],
    ['ab*ba', 'aba', false], ['*a*a*', 'aa', true], ['*a*a*', 'a', false], ['a**b', 'ab', true], ['.+?', '.+?', true]
  ]
  for (const [pattern, text, expected] of cases) t.equal(starMatcher(pattern)(text), expected, `${pattern} ~ ${text}`)
})

t.test('PathPattern: {param} is one non-empty segment, * any rest, the rest literal', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['/api/{id}', '/api/6', true], ['/api/{id}', '/api/', false], ['/api/{id}', '/api/6/data', false],
    ['/api/*', '/api/6/data', true], ['/api/*', '/api/', true], ['/api/*', '/ap', false],
    ['/a/{p}/b/{q}', '/a/x/b/y', true], ['/a/{p}/b/{q}', '/a/x/c/y', false],
    ['/a*a*a*b', '/aXaYab', true], ['/a*a*a*b', '/aaa', false], ['/x/{', '/x/{', true], ['/x/{}', '/x/{}', true],
    ['*', '/anything/at/all', true], ['/{a/b}', '/{a/b}', true]
  ]
  for (const [template, path, expected] of cases) t.equal(new PathPattern(template).matches(path), expected, `${template} ~ ${path}`)
})

t.test('PathPattern on a hostile template and path takes time linear in the path', async (t) => {
  const pattern = new PathPattern('/a*a*a*a*a*a*a*a*a*a*b')
  const started = performance.now()
  t.equal(pattern.matches(`/${'a'.repeat(20000)}`), false)
  t.ok(performance.now() - started < 1000)
})

t.test('PathPattern: neighbouring stars reach the same states once', async (t) => {
  t.equal(new PathPattern('/**').matches('/ab'), true)
  t.equal(new PathPattern('/{a}*').matches('/ab/c'), true)
})
