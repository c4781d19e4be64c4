/**
 * Hostile requests for fuzz.test.ts, as fast-check arbitraries: every endpoint, with odd ids,
 * query strings, methods, Content-Types, bodies, credentials and headers.
 */
import fc from 'fast-check'
import { METHODS } from 'node:http'
import { API_USER, basic } from '../helper.js'
import type { WireRequest } from './sandbox.js'

// Printing ------------------------------------------------------------------------------------

/** Non-ASCII as \\u escapes, so that reports stay plain text. */
export const ascii = (text: string): string => text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
export const clip = (text: string, max: number): string => text.length > max ? `${text.slice(0, max)}... (${text.length} chars)` : text

function describeBody (payload: string | Uint8Array): string {
  if (typeof payload !== 'string') {
    const bytes = Buffer.from(payload)
    return `<${bytes.length} bytes: ${bytes.subarray(0, 60).toString('hex')}${bytes.length > 60 ? '...' : ''}>`
  }
  return payload.length > 200 ? `${JSON.stringify(payload.slice(0, 120))}...${JSON.stringify(payload.slice(-40))} (${payload.length} chars)` : JSON.stringify(payload)
}

export function describeRequest (request: WireRequest): string {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, clip(value, 100)]))
  return ascii(`${request.method} ${clip(request.url, 300)} headers=${JSON.stringify(headers)}${request.payload === undefined ? '' : ` body=${describeBody(request.payload)}`}`)
}

export interface FuzzRequest extends WireRequest { [fc.toStringMethod]: () => string }

function request (method: string, url: string, headers: Record<string, string | undefined>, payload?: string | Uint8Array): FuzzRequest {
  const present = Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined))
  const wire: WireRequest = payload === undefined ? { method, url, headers: present } : { method, url, headers: present, payload }
  return Object.assign(wire, { [fc.toStringMethod]: () => `\n    ${describeRequest(wire)}` })
}

/** An object with exactly these own keys, `__proto__` included, for JSON.stringify. */
function own (entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const object: Record<string, unknown> = {}
  for (const [key, value] of entries) {
    if (value !== undefined) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return object
}

// Building blocks -----------------------------------------------------------------------------

const b64 = (text: string): string => Buffer.from(text).toString('base64')
// What Node accepts in a header value: tab, visible ASCII and obs-text.
const headerChar = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constant(0x09), fc.integer({ min: 0x80, max: 0xff })).map((c) => String.fromCharCode(c))
const headerValue = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: headerChar, maxLength })
const enc = encodeURIComponent
// Sent as is except for what cannot be on a request line: `%`, `&`, `=`, `+` and quotes stay raw.
const raw = (text: string): string => text.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/g, (c) => encodeURIComponent(c))

const authorization = fc.oneof(
  { weight: 10, arbitrary: fc.constant<string | undefined>(API_USER) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<string | undefined>(
      undefined, '', 'Bearer mock-access-token', 'bearer   mock-access-token  ', 'Bearer mock-access-token extra',
      basic('APITest\\Events.User', 'secret'), basic('APITest\\Marketing.User', 'secret'), basic('apitest\\api.user', 'secret'),
      basic('APITest\\API.User', 'Secret'), basic('APITest\\API.User', ''), basic('\\API.User', 'secret'), basic('APITest\\', 'secret'),
      basic('API.User', 'secret'), basic('APITest\\API.User\\x', 'secret'), `Basic ${b64('APITest\\API.User:secret:extra')}`,
      `Basic ${b64('APITest\\API.User')}`, `Basic ${b64('APITest\\API.User:secret').slice(0, -3)}`, `Basic ${b64('APITest\\API.User:secret')}!!`,
      'Basic', 'Basic ', 'Basic =', 'Basic ====', 'Basic !!!!', 'Bearer', 'Bearer ', 'Bearer a b', 'Digest username="API.User"', 'Negotiate YII=',
      'null', 'undefined', `Basic ${'A'.repeat(8000)}`, `Bearer ${'x'.repeat(8000)}`, `Basic ${b64(`APITest\\${'u'.repeat(3000)}:secret`)}`
    )
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Basic ', 'Bearer ', 'basic ', 'BEARER ', '', 'Basic  '), headerValue(60)).map(([scheme, value]) => scheme + value) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 })).map(([user, password]) => `Basic ${b64(`${user}:${password}`)}`) }
)

const CONTENT_TYPES = [
  'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'application/json; charset="utf-8"', 'application/json; charset=utf8',
  'Application/JSON', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json; charset=',
  'application/json;;;', 'application/json; charset=utf-8; charset=latin1', 'application/json; boundary=x', 'application/json ',
  ' application/json', 'application/json\t', 'text/csv', 'text/csv; charset=utf-8', 'text/csv;charset="UTF-8"', 'text/CSV',
  'text/csv; charset=iso-8859-1', 'text/csv, application/json', 'text/plain', 'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=----x', 'application/octet-stream', 'application/vnd.api+json',
  'application/jsonx', 'json', '*/*', '/', ';', '', `application/json; charset=${'x'.repeat(5000)}`, `application/json;${' '.repeat(3000)}x`
]
const hostileContentType = fc.oneof(fc.constantFrom<string | undefined>(undefined, ...CONTENT_TYPES), headerValue(60))

/** Rare extra headers: encodings, request ids, proxies, hosts. */
const extraHeaders = fc.array(fc.oneof(
  fc.tuple(fc.constant('content-encoding'), fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'x-bogus', 'gzip, gzip', 'GZIP', '')),
  fc.tuple(fc.constant('x-request-id'), fc.oneof(headerValue(40), fc.constant('r'.repeat(8000)))),
  fc.tuple(fc.constant('x-forwarded-host'), fc.oneof(headerValue(40), fc.constantFrom('', ',', 'evil.example, localhost', '[::1]:99999'))),
  fc.tuple(fc.constant('x-forwarded-proto'), fc.oneof(headerValue(10), fc.constantFrom('', 'javascript', 'https, http'))),
  fc.tuple(fc.constant('host'), fc.oneof(headerValue(40), fc.constantFrom('', 'localhost:99999', '[::1]', 'a'.repeat(5000)))),
  fc.tuple(fc.constantFrom('accept', 'accept-charset', 'accept-encoding', 'if-none-match', 'x-http-method-override', 'origin', 'cookie'), headerValue(40))
), { maxLength: 2 }).map((pairs) => Object.fromEntries(pairs) as Record<string, string>)

const ID_SEGMENTS = [
  '0', '00', '09', '-1', '-9', '+9', '%2B9', '9.0', '9e0', '1e400', 'Infinity', '-Infinity', 'NaN', 'null', 'undefined', 'true', '0x9',
  '%39', '%EF%BC%99', '9%00', '%00', '%20', '%209', '9%20', '%', '%%', '%25', '%E0%A4%A', '%C0%80', '%FF', '..', '.', '~', '9;x', '9,10',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', '9007199254740993', '999999999999999', '1000000000000000',
  '18446744073709551616', '%D9%A9', "9'", '9%22', '9*', '*'
]
const KNOWN_IDS = ['1', '2', '3', '6', '7', '8', '9', '10', '11', '12', '14', '15', '16', '17', '18', '101', '102', '103']
const idSegment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KNOWN_IDS) },
  { weight: 3, arbitrary: fc.constantFrom(...ID_SEGMENTS) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map((n) => enc(String(n))) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(enc) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }).map(enc) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 6000 }), fc.constantFrom('9', 'a', '%20')).map(([n, c]) => c.repeat(n)) }
)
const bulk = fc.constantFrom('/api/bulk/2.0', '/api/bulk/2.0', '/api/bulk/2.0', '/API/Bulk/2.0', '/api/bulk/2.0/', '/Api/BULK/2.0', '//api/bulk/2.0')
const trailing = fc.constantFrom('', '', '', '', '/', '//')

// Query strings ---------------------------------------------------------------------------------

const TERMS = ['name', 'uri', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'internalName', 'dataType', 'identifierFieldName',
  'syncedInstanceUri', 'status', 'syncStartedAt', 'syncEndedAt', 'statusCode', 'severity', 'count', 'message', 'recordIndex']
const term = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TERMS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) })
const operator = fc.constantFrom('=', '=', '=', '!=', '<', '>', '<=', '>=', '==', '=<', '<>', '~', '')
const starValue = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 64 }), fc.constantFrom('', '!', 'zz', 'Webinar', '9')).map(([n, tail]) => '*'.repeat(n) + tail),
  fc.tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom('a', 'e', 'i', '/', '0', ' ', 's')).map(([n, c]) => `*${c}`.repeat(n) + '!'),
  fc.string({ unit: fc.constantFrom('*', '*', '*', 'a', 'e', 'x', '!', ' ', '.', '\\', '(', ')', '[', ']', '?', '+', '$', '^', '|', '{', '}', '/', '0'), maxLength: 60 })
)
const qValue = fc.oneof(
  { weight: 3, arbitrary: starValue },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('2025-07-01', '2024-05-01T10:00:00.0000000Z', 'NaN', 'Infinity', '1e400', '-1', '', "'", '"', "''", '""', '\'a"',
      'a and b', 'Sales and Marketing', 'null', 'true', 'Webinar*', '*Webinar*', 'success', 'ELQ-00034')
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => `${' '.repeat(n)}x`) }
)
const QUOTES: Record<string, (v: string) => string> = {
  plain: (v) => v, single: (v) => `'${v}'`, double: (v) => `"${v}"`, open: (v) => `'${v}`, close: (v) => `${v}'`, mixed: (v) => `"${v}'`
}
const condition = fc.tuple(fc.constantFrom('', '', ' ', '"'), term, fc.constantFrom('', ' '), operator, fc.constantFrom('', ' '), fc.constantFrom(...Object.keys(QUOTES)), qValue)
  .map(([lead, name, s1, op, s2, quote, value]) => `${lead}${name}${s1}${op}${s2}${(QUOTES[quote] as (v: string) => string)(value)}`)
/** A single condition with many wildcards, on a term the list has. */
const starQuery = fc.tuple(fc.constantFrom('name', 'uri', 'createdAt', 'createdBy', 'internalName', 'identifierFieldName', 'syncedInstanceUri', 'message', 'status'),
  fc.constantFrom('=', '!='), fc.integer({ min: 2, max: 64 }), fc.constantFrom("'", '', '"'), fc.constantFrom('!', 'zz', 'Z', ''))
  .map(([name, op, n, quote, tail]) => `${name}${op}${quote}${'*'.repeat(n)}${tail}${quote}`)
const q = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.array(condition, { minLength: 1, maxLength: 4 }), fc.constantFrom(' and ', ' AND ', ' And ', 'and', ' and  and ', ' or ', ' && ', "' and '", '" and "', ' and\t')).map(([parts, joiner]) => parts.join(joiner)) },
  { weight: 2, arbitrary: starQuery },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 400 }), fc.constantFrom('name=x and ', "name='x and ", "' and '", 'name=* and ', ' and ')).map(([n, piece]) => `${piece.repeat(n)}name=y`) }
)
const orderBy = fc.oneof(
  fc.tuple(term, fc.constantFrom('', ' ASC', ' DESC', ' asc', ' Desc', ' sideways', '  DESC  ', ' ASC DESC', ',name')).map(([name, direction]) => name + direction),
  fc.string({ maxLength: 20 }),
  fc.integer({ min: 1, max: 3000 }).map((n) => `name${' '.repeat(n)}x`)
)
const numberish = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('Infinity', '-Infinity', '1e400', '-1e400', 'NaN', '1e21', '9007199254740993', '99999999999999999999999') },
  {
    weight: 3,
    arbitrary: fc.constantFrom('0', '1', '-1', '1000', '1001', '-0', '+5', '5.0', '5.5', '1e3', 'null', 'true', 'false', '', '  ', '0x10', '0b1',
      '1_000', ' 5', '5 ', '%D9%A3', '1e-7')
  },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.bigInt().map(String) }
)
const queryParam = fc.oneof(
  { weight: 2, arbitrary: fc.tuple(fc.constant('limit'), numberish) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('offset'), numberish) },
  fc.tuple(fc.constant('totalResults'), fc.oneof(fc.constantFrom('true', 'false', 'FALSE', 'False', 'fAlSe', 'TRUE', '0', '1', 'no', '', 'falsey'), fc.string({ maxLength: 6 }))),
  fc.tuple(fc.constant('orderBy'), orderBy),
  { weight: 4, arbitrary: fc.tuple(fc.constant('q'), q) },
  fc.tuple(fc.constantFrom('links', 'depth', 'count', 'page', 'records', 'search', '__proto__', 'constructor', 'hasOwnProperty', 'q[]', 'limit[]', 'toString', 'LIMIT', 'Q'), fc.string({ maxLength: 10 })),
  fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }))
)
/** Values every list takes, to go with a hostile one. */
const benignParam = fc.oneof(
  fc.tuple(fc.constant('limit'), fc.integer({ min: 1, max: 1000 }).map(String)),
  fc.tuple(fc.constant('offset'), fc.integer({ min: 0, max: 3 }).map(String)),
  fc.tuple(fc.constant('totalResults'), fc.constantFrom('true', 'false')),
  fc.tuple(fc.constant('orderBy'), fc.constantFrom('name ASC', 'createdAt DESC', 'uri', 'status DESC')),
  fc.tuple(fc.constant('q'), fc.constantFrom('name=*', "name='*Webinar*'", 'createdAt<2030-01-01', 'status=success'))
)
// Mostly one hostile parameter among benign ones, so that it is the one judged; now and then several.
const queryParams = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(queryParam, fc.uniqueArray(benignParam, { selector: ([name]) => name, maxLength: 2 })).map(([hostile, benign]) => [hostile, ...benign.filter(([name]) => name !== hostile[0])]) },
  { weight: 1, arbitrary: fc.array(queryParam, { maxLength: 4 }) }
)
const query = fc.tuple(queryParams, fc.constantFrom('encoded', 'encoded', 'raw'))
  .map(([params, how]) => params.length === 0 ? '' : `?${params.map(([k, v]) => how === 'encoded' ? `${enc(k)}=${enc(v)}` : `${raw(k)}=${raw(v)}`).join('&')}`)
const maybeQuery = fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: query })

// Bodies ----------------------------------------------------------------------------------------

interface Body { payload: string | Uint8Array, format: 'json' | 'csv' | 'other' }
const json = (payload: string | Uint8Array): Body => ({ payload, format: 'json' })
const csv = (payload: string | Uint8Array): Body => ({ payload, format: 'csv' })

// Up to 20,000 levels, most often deep enough to exhaust a recursive walk of the value.
const depth = fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(20000, 10000, 5000, 2000), fc.integer({ min: 1000, max: 20000 }))
/** Deeply nested or very long JSON, built as text (no recursion in the test). */
const DEEP: Record<string, (n: number) => string> = {
  arrays: (n) => '['.repeat(n) + ']'.repeat(n),
  'identifier in arrays': (n) => `[{"Id":${'['.repeat(n)}${']'.repeat(n)}}]`,
  'identifier in objects': (n) => `[{"Id":${'{"a":'.repeat(n)}0${'}'.repeat(n)}}]`,
  'extra field in arrays': (n) => `[{"Id":"DLPSB000000000020","x":${'['.repeat(n)}${']'.repeat(n)}}]`,
  'record id in arrays': (n) => `[{"RecordId":${'['.repeat(n)}1${']'.repeat(n)}}]`,
  'unclosed arrays': (n) => '['.repeat(n),
  'unclosed objects': (n) => `[{"Id":${'{"a":'.repeat(n)}`,
  'many records': (n) => `[${Array.from({ length: n }, () => '{"Id":"DLPSB000000000020"}').join(',')}]`,
  'many keys': (n) => `[{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}]`,
  'long identifier': (n) => `[{"Id":"${'D'.repeat(n * 10)}"}]`
}
const deepJson = fc.tuple(fc.constantFrom(...Object.keys(DEEP)), depth).map(([shape, n]) => (DEEP[shape] as (n: number) => string)(n))

const JSON_TEXTS = [
  '[{"Id":1e400}]', '[{"Id":-1e400}]', '[{"Id":1e-400}]', '[{"Id":-0}]', '[{"Id":123456789012345678901234567890}]', '[{"RecordId":1.0}]',
  '[{"RecordId":1e0}]', '[{"RecordId":0.1e1}]', '[{"RecordId":-1}]', '[{"RecordId":1e400}]', '[{"Id":NaN}]', '[{"Id":Infinity}]', '[1e400]',
  '1e400', '[{"Id":0x10}]', '[{"Id":"\\u0000"}]', '[{"Id":"\\ud800"}]', '[{"Id":"a","Id":"DLPSB000000000020"}]',
  '[{"__proto__":{"Id":"DLPSB000000000020"}}]', '[{"__proto__":null}]', '[{"constructor":{"prototype":{"polluted":1}}}]',
  '[{"Id":{"toString":"x"}}]', '[{"Id":["DLPSB000000000020"]}]', '[{"Id":[["DLPSB000000000020"]]}]', '[{"Id":true}]', '[{"Id":{}}]',
  '[{}]', '[{},{}]', '[]', '[null]', '[[]]', '[""]', '[1]', '{}', '{"Id":"x"}', 'null', 'true', '""', '"[]"', ' [] ', '[]garbage', '[] []',
  '\t\n[\n]\n', '', ' ', '\u0000', '[{"Id":"DLPSB000000000020"}]\u0000'
]
const RECORD_KEYS = ['Id', 'Id', 'Id', 'RecordId', 'AttendeeId', 'id', 'ID', '__proto__', 'constructor', 'toString', 'valueOf', '', ' ', 'Id ', 'x']
const IDENTIFIERS = ['DLPSB000000000020', 'DLPSB000000000021', 'DLPSB000000000022', 'DLPSB000000000099', 'ATT-1', '1', '2', '3', '0', '01', '', ' ', 'dlpsb000000000020']
const identifierValue = fc.oneof({ weight: 4, arbitrary: fc.constantFrom<unknown>(...IDENTIFIERS) }, fc.jsonValue({ maxDepth: 2 }), fc.string({ unit: 'binary', maxLength: 20 }))
const record = fc.array(fc.tuple(fc.constantFrom(...RECORD_KEYS), identifierValue), { maxLength: 4 }).map(own)
const records = fc.array(record, { maxLength: 8 })

const BAD_UTF8 = [[0xff], [0xfe, 0xff], [0xc0, 0x80], [0xc1, 0xbf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe0, 0xa4], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]
const invalidUtf8 = fc.tuple(fc.nat(BAD_UTF8.length - 1), fc.constantFrom('json', 'csv', 'alone')).map(([i, where]): Body => {
  const bad = Buffer.from(BAD_UTF8[i] as number[])
  if (where === 'json') return json(Buffer.concat([Buffer.from('[{"Id":"'), bad, Buffer.from('"}]')]))
  if (where === 'csv') return csv(Buffer.concat([Buffer.from('Id\r\n'), bad, Buffer.from('\r\n')]))
  return json(bad)
})
const withBom = fc.tuple(fc.constantFrom('utf8', 'utf8 twice', 'utf16le', 'utf16be', 'utf8 inside'), fc.boolean()).map(([bom, asCsv]): Body => {
  const text = asCsv ? 'Id\r\nDLPSB000000000020\r\n' : '[{"Id":"DLPSB000000000020"}]'
  const make = asCsv ? csv : json
  switch (bom) {
    case 'utf8': return make(`\uFEFF${text}`)
    case 'utf8 twice': return make(`\uFEFF\uFEFF${text}`)
    case 'utf8 inside': return make(asCsv ? 'Id\r\n\uFEFFDLPSB000000000020\r\n' : '[\uFEFF{"Id":"DLPSB000000000020"}]')
    case 'utf16le': return make(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))
    default: return make(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]))
  }
})

const csvCell = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('Id', 'Id', 'RecordId', 'AttendeeId', 'id', '__proto__', 'constructor', 'toString', '', '""', '"a""b"', '"x\r\ny"',
      '"x,y"', 'DLPSB000000000020', 'DLPSB000000000099', '1', '"unterminated', 'a"b', ' Id', 'Id ', '\uFEFFId', '=1+1')
  },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', 'I', 'd', '"', ',', '\r', '\n', ' ', '\t', '\\', ';'), maxLength: 8 }) }
)
const csvGrid = fc.tuple(fc.array(fc.array(csvCell, { minLength: 1, maxLength: 4 }), { maxLength: 6 }), fc.constantFrom('\r\n', '\n', '\r'), fc.boolean())
  .map(([rows, eol, last]) => rows.map((row) => row.join(',')).join(eol) + (last ? eol : ''))
const csvSpecial = fc.oneof(
  fc.constantFrom('Id,Id\r\nDLPSB000000000020,DLPSB000000000021\r\n', 'Id,id,ID\r\n1,2,3\r\n', 'Id,Id\r\n', 'Id\r\n', 'Id', ',\r\n,\r\n',
    '\r\n\r\n', '""\r\n""', 'Id\r\n"DLPSB000000000020', 'Id\r\nDLPSB000000000020\r\nx,y\r\n', '__proto__,Id\r\nDLPSB000000000020,DLPSB000000000020\r\n',
    'constructor\r\nx\r\n', 'Id,__proto__\r\nDLPSB000000000020,x\r\n', 'RecordId\r\n1\r\n2\r\n'),
  fc.integer({ min: 1, max: 20000 }).map((n) => `Id\r\n${'DLPSB000000000020\r\n'.repeat(n)}`),
  fc.integer({ min: 1, max: 5000 }).map((n) => `${Array.from({ length: n }, (_, i) => `c${i}`).join(',')}\r\n${'1,'.repeat(n - 1)}1\r\n`),
  fc.integer({ min: 1, max: 5000 }).map((n) => `${'Id,'.repeat(n)}Id\r\n${'x,'.repeat(n)}x\r\n`),
  fc.integer({ min: 1, max: 20000 }).map((n) => '"'.repeat(n)),
  fc.integer({ min: 1, max: 20000 }).map((n) => `Id\r\n"${'a'.repeat(n)}`)
)

const uploadBody: fc.Arbitrary<Body> = fc.oneof(
  { weight: 4, arbitrary: records.map((r) => json(JSON.stringify(r))) },
  { weight: 4, arbitrary: deepJson.map(json) },
  { weight: 2, arbitrary: fc.constantFrom(...JSON_TEXTS).map(json) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => json(JSON.stringify(v) ?? 'null')) },
  { weight: 1, arbitrary: fc.array(fc.object({ maxDepth: 3 })).map((v) => json(JSON.stringify(v))) },
  { weight: 2, arbitrary: csvGrid.map(csv) },
  { weight: 2, arbitrary: csvSpecial.map(csv) },
  { weight: 1, arbitrary: invalidUtf8 },
  { weight: 1, arbitrary: withBom },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }).map((s): Body => ({ payload: s, format: 'other' })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b): Body => ({ payload: b, format: 'other' })) }
)

/** The Content-Type that goes with a body, or now and then a hostile one. */
const typed = (body: fc.Arbitrary<Body>): fc.Arbitrary<{ payload: string | Uint8Array, contentType: string | undefined }> =>
  fc.tuple(body, fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: hostileContentType }))
    .map(([b, type]) => ({ payload: b.payload, contentType: type === null ? (b.format === 'csv' ? 'text/csv' : 'application/json') : type }))

const anyJson = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null')
/** `{"<key>": <value nested n deep>}`, for bodies that must be objects. */
const deepMember = (key: string): fc.Arbitrary<string> => depth.map((n) => `{"${key}":${'['.repeat(n)}${']'.repeat(n)}}`)

// Definitions
const STATEMENTS = ['{{CustomObject[9].ExternalId}}', '{{CustomObject[9].Id}}', '{{CustomObject[10].ExternalId}}', '{{CustomObject[09].Id}}',
  '{{CustomObject[99999999999999999999].Id}}', '{{CustomObject[9].ExternalId}}x', '{{CustomObject[9].externalid}}', '{{Contact.Field(C_EmailAddress)}}', '']
const FIELD_NAMES = ['Id', 'RecordId', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'a'.repeat(100), 'a'.repeat(101)]
const fieldName = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FIELD_NAMES) }, { weight: 1, arbitrary: fc.string({ maxLength: 120 }) })
const scalarish = fc.jsonValue({ maxDepth: 1 })
const syncAction = fc.tuple(
  fc.option(fc.oneof({ weight: 4, arbitrary: fc.constantFrom<unknown>('add', 'remove', 'setStatus', 'SETSTATUS', '') }, { weight: 1, arbitrary: scalarish }), { nil: undefined }),
  fc.option(fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom<unknown>('{{ContactList[12345]}}', '{{AccountList[1]}}', '{{EmailGroup[3]}}', '{{GlobalSubscribe}}', '{{ActionInstance(f82d50cd86a94fcab37e4ec9a98b0339).Execution[12345]}}', '{{}}', '{{x}}', `{{${'a'.repeat(5000)}}}`) },
    { weight: 1, arbitrary: fc.string() }, { weight: 1, arbitrary: scalarish }), { nil: undefined }),
  fc.option(fc.oneof({ weight: 3, arbitrary: fc.constantFrom<unknown>('complete', 'pending', 'errored', 'subscribed', 'unsubscribed', 'bogus', null) }, { weight: 1, arbitrary: scalarish }), { nil: undefined }),
  fc.option(fc.oneof(fc.boolean(), fc.constant(null), scalarish), { nil: undefined })
).map(([action, destination, status, updateAll]) => own([['action', action], ['destination', destination], ['status', status], ['updateAll', updateAll]]))
const validAction = fc.constantFrom(
  { action: 'setStatus', destination: '{{ActionInstance(f82d50cd86a94fcab37e4ec9a98b0339).Execution[12345]}}', status: 'complete' },
  { action: 'add', destination: '{{ContactList[12345]}}' },
  { action: 'remove', destination: '{{AccountList[7]}}', updateAll: true },
  { action: 'setStatus', destination: '{{EmailGroup[3]}}', status: 'subscribed' },
  { action: 'setStatus', destination: '{{GlobalSubscribe}}', status: 'unsubscribed' }
)
const EXTRA_KEYS = ['uri', 'kbUsed', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'id', '__proto__', 'constructor', 'fields ', 'NAME']
const hostileDefinition = fc.tuple(
  fc.option(fc.oneof(fc.string({ maxLength: 120 }), fc.constantFrom<unknown>('', ' ', 'x'.repeat(100), 'x'.repeat(101), null), scalarish), { nil: undefined }),
  fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fieldName, fc.oneof({ weight: 3, arbitrary: fc.constantFrom<unknown>(...STATEMENTS) }, { weight: 1, arbitrary: scalarish })).map(([k, v]) => own([[k, v]])) },
    { weight: 1, arbitrary: fc.oneof(fc.constant<unknown>(undefined), scalarish, fc.dictionary(fieldName, fc.constantFrom(...STATEMENTS), { maxKeys: 3 })) }
  ),
  fc.option(fc.oneof(fieldName, scalarish), { nil: undefined }),
  fc.option(fc.oneof(fc.boolean(), fc.constant(null), scalarish), { nil: undefined }),
  fc.oneof({ weight: 3, arbitrary: fc.array(fc.oneof(syncAction, validAction), { maxLength: 12 }) }, { weight: 1, arbitrary: scalarish }),
  fc.array(fc.tuple(fc.constantFrom(...EXTRA_KEYS), fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 })
).map(([name, fields, identifier, onImport, actions, extras]) => {
  // Without an explicit identifierFieldName, use the key of `fields`, so many bodies are valid.
  const key = fields !== null && typeof fields === 'object' ? Object.keys(fields)[0] : undefined
  return JSON.stringify(own([['name', name], ['fields', fields], ['identifierFieldName', identifier ?? key], ['isSyncTriggeredOnImport', onImport], ['syncActions', actions], ...extras]))
})
const validDefinition = fc.tuple(fc.constantFrom('Mark complete', 'Fuzz définition ✓', 'x'.repeat(100)), fc.constantFrom('Id', 'RegistrationId', '__proto__', 'constructor', 'toString'),
  fc.constantFrom('ExternalId', 'Id'), fc.boolean(), fc.array(validAction, { minLength: 1, maxLength: 3 }))
  .map(([name, key, kind, onImport, actions]) => JSON.stringify(own([['name', name], ['fields', own([[key, `{{CustomObject[9].${kind}}}`]])], ['identifierFieldName', key], ['isSyncTriggeredOnImport', onImport], ['syncActions', actions]])))
const definitionBody = fc.oneof(
  { weight: 4, arbitrary: hostileDefinition },
  { weight: 2, arbitrary: validDefinition },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.oneof(deepMember('name'), deepMember('fields'), deepMember('syncActions'), depth.map((n) => `{"name":"d","fields":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`)) },
  { weight: 1, arbitrary: fc.constantFrom('', 'null', '[]', '{', '{"name":"x",}', '{"name":"x","name":"y"}', '{"__proto__":{"name":"x"}}') }
).map(json)

// Import definitions of contacts, accounts and custom objects
const importKey = fc.oneof(fc.constantFrom('e', 'f', 'Id', 'email', '__proto__', 'constructor', 'toString', ''), fc.string({ maxLength: 8 }), fc.constant('k'.repeat(150)))
const importStatement = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>('{{Contact.Field(C_EmailAddress)}}', '{{Contact.Field(C_FirstName)}}', '{{Contact.Id}}', '{{Contact.Email.IsSubscribed}}', '{{Contact.Field(C_DateCreated)}}', '{{Contact.Field(ContactIDExt)}}', '{{Account.Field(M_CompanyName)}}', '{{Account.Id}}', '{{CustomObject[9].Field[101]}}', '{{CustomObject[9].Field[102]}}', '{{CustomObject[9].ExternalId}}', '{{CustomObject[9].Id}}') },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('{{Contact.Field(', '{{}}', '{{Contact.Field(__proto__)}}', '{{CustomObject[9].Field[1e3]}}', `{{Contact.Field(${'C'.repeat(5000)})}}`, '{{CustomObject[9].Field[99999999999999999999]}}') },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 40 }), scalarish) }
)
const importExtra = fc.dictionary(
  fc.constantFrom('updateRule', 'updateRuleByField', 'importRule', 'isSyncTriggeredOnImport', 'isUpdatingMultipleMatchedRecords', 'dataRetentionDuration', 'autoDeleteDuration', 'mapDataCards',
    'mapDataCardsEntityType', 'mapDataCardsEntityField', 'mapDataCardsSourceField', 'mapDataCardsCaseSensitiveMatch', 'linkUsers', 'syncActions', 'externalSystemId', 'importPriorityUri', 'nullIdentifierFieldName'),
  fc.oneof(scalarish, fc.constantFrom<unknown>('always', 'ifNewIsNotNull', 'ifExistingIsNull', 'useFieldRule', 'createOnly', 'updateOnly', 'P1D', 'PT1H', 'P1DT', 'PT', `P${'9'.repeat(30)}D`, 'Contact', 'Company', 'true', 'false',
    '{{Contact.Field(C_EmailAddress)}}', '{{Account.Field(M_CompanyName)}}', 'e', { e: 'always' }, { e: 'never', zz: 'always' }, [{ action: 'add', destination: '{{ContactList[1]}}' }], '/imports/priorities/1'), anyJson.map((text) => JSON.parse(text) as unknown)),
  { maxKeys: 6 }
)
const importBody = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.tuple(fc.oneof(fc.constant<unknown>('Import'), scalarish), fc.dictionary(importKey, importStatement, { maxKeys: 5 }), fc.nat(5), importExtra)
      .map(([name, fields, pick, extras]) => {
        const keys = Object.keys(fields)
        return JSON.stringify(own([['name', name], ['fields', fields], ['identifierFieldName', keys.length === 0 ? undefined : keys[pick % keys.length]], ...Object.entries(extras)]))
      })
  },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.oneof(deepMember('fields'), deepMember('updateRuleByField'), deepMember('syncActions')) }
).map(json)
const IMPORT_FAMILIES = ['/contacts/imports', '/accounts/imports', '/customObjects/9/imports', '/customobjects/9/imports', '/customObjects/10/imports', '/contacts/syncActions', '/accounts/syncActions', '/contacts/exports', '/customObjects/9/exports']
const importFamily = fc.tuple(bulk, fc.constantFrom(...IMPORT_FAMILIES), trailing).map(([b, f, s]) => `${b}${f}${s}`)
const importItem = fc.tuple(bulk, fc.constantFrom(...IMPORT_FAMILIES), fc.oneof(fc.constantFrom('17', '18', '19'), idSegment), fc.constantFrom('', '/data'), trailing).map(([b, f, id, data, s]) => `${b}${f}/${id}${data}${s}`)
const importRows = fc.array(fc.record({ e: fc.constantFrom<unknown>('ana@example.com', 'ANA@example.com', 'new@example.com', 'bad', '', null, 5, { x: 1 }), f: fc.oneof(fc.string({ maxLength: 10 }), scalarish), Id: fc.constantFrom<unknown>('1', '2', 'REG-000020', 'X') }, { requiredKeys: [] }), { maxLength: 5 })
  .map((rows) => json(JSON.stringify(rows)))

// Syncs
const DEFINITION_URIS = ['6', '7', '8', '12', '14', '15', '16', '17', '18'].map((id) => `/customObjects/9/syncActions/${id}`)
const instanceUri = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(...DEFINITION_URIS, '/customObjects/10/syncActions/11', '/contacts/imports/17', '/contacts/imports/18', '/accounts/imports/17', '/customObjects/9/imports/17', '/contacts/syncActions/17', '/contacts/exports/17', '/contacts/exports/18') },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>('/customObjects/9/syncActions/6/', '/CUSTOMOBJECTS/9/SYNCACTIONS/6', '/customObjects/10/syncActions/6',
      '/customObjects/9/syncActions/11', '/customObjects/9/syncActions/999999999999999999999', '/customObjects/9/syncActions/6?x',
      '/customObjects/9/syncActions/6\n', '/contacts/imports/1', '/customObjects/9/syncActions/0006', '/customObjects/09/syncActions/6',
      'customObjects/9/syncActions/6', '/api/bulk/2.0/customObjects/9/syncActions/6', '', null, 6, ['/customObjects/9/syncActions/6'])
  },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: scalarish }
)
// Callbacks only ever go to a closed port on the loopback interface.
const callback = fc.oneof(
  { weight: 3, arbitrary: fc.constant<unknown>(undefined) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(null, '', 'http://127.0.0.1:9/callback', 'https://127.0.0.1:9/cb?x=1', 'HTTP://127.0.0.1:9', 'http://',
      'http:// 127.0.0.1', 'ftp://127.0.0.1/', 'javascript:alert(1)', '/relative', 'http://[::1', 'http://127.0.0.1:99999/',
      `http://127.0.0.1:9/${'a'.repeat(10000)}`, 'http://127.0.0.1:9/\u00e9', 123, [], {})
  },
  { weight: 1, arbitrary: fc.string() }
)
const syncBody = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(instanceUri, callback, callback, fc.array(fc.tuple(fc.constantFrom(...EXTRA_KEYS, 'status', 'syncStartedAt'), scalarish), { maxLength: 2 })).map(([uri, a, b, extras]) => JSON.stringify(own([['syncedInstanceUri', uri], ['callbackUrl', a], ['callbackURL', b], ...extras]))) },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.oneof(deepMember('syncedInstanceUri'), deepMember('callbackUrl')) },
  { weight: 1, arbitrary: fc.constantFrom('', 'null', '[]', '"x"', '{', '{"syncedInstanceUri":"/customObjects/9/syncActions/6","syncedInstanceUri":1}', '{"__proto__":{"syncedInstanceUri":"/customObjects/9/syncActions/6"}}') }
).map(json)

// Fault rules (POST /__mock/faults). Never 500 or 503, so a 5xx is always the mock's own doing;
// delays stay small, so only the mock itself can trip the watchdog.
const RULE_STATUS = [400, 401, 403, 404, 409, 410, 412, 413, 429]
const PATH_TEMPLATES = ['/api/bulk/2.0/*', '/api/bulk/2.0/syncs', '/api/bulk/2.0/customObjects/{parentId}/syncActions/{id}/data', '*', '/', '{a}',
  '/api/bulk/2.0/syncs/{id}', '(', '[', '\\', '{', '}', '{}', 'a{2,1}', '/API/BULK/2.0/*/']
const pathTemplate = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PATH_TEMPLATES) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('*', '*', '/', 'a', 'p', 'i', '{', '}', 'x'), maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }
)
const ruleName = fc.oneof(
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('definition-14-sync-error', 'definition-16-stuck-pending', '', ' ', 'a/b', '%', '..', 'é', 'n'.repeat(5000), null, 7) }
)
const headerName = fc.oneof(fc.constantFrom('retry-after', 'x-extra', 'content-type', 'content-length', 'x-mock-reason', 'connection', 'transfer-encoding', 'set-cookie', 'x a', 'x-a\n', '', 'x:y', 'é'), fc.string({ maxLength: 10 }))
const ruleHeaders = fc.dictionary(headerName, fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\r\nx: y', 'é', '1', '', ' x ')), { maxKeys: 2 })
const faultRule = fc.tuple(
  ruleName,
  fc.option(fc.tuple(
    fc.option(fc.oneof(fc.constantFrom<unknown>('GET', 'POST', 'PUT', 'DELETE', 'get', 'BREW'), scalarish), { nil: undefined }),
    fc.option(pathTemplate, { nil: undefined }),
    fc.option(fc.constantFrom<unknown>('uploadSyncActionData', 'createSync', 'getSync', 'listSyncs', 'discover', 'nope', 1), { nil: undefined }),
    fc.option(fc.oneof(fc.constantFrom<unknown>(9, 10, 6, '9', -1, 0, 1.5)), { nil: undefined }),
    fc.option(fc.oneof(fc.constantFrom<unknown>(6, 7, 1, '6', -1)), { nil: undefined }),
    fc.option(fc.constantFrom<unknown>('APITest', 'apitest', 'Other', ''), { nil: undefined }),
    fc.option(fc.constantFrom<unknown>('API.User', 'Events.User', ''), { nil: undefined }),
    fc.option(fc.oneof(fc.dictionary(fc.constantFrom('content-type', 'authorization', 'x-fuzz', 'X-Mock-Scenario', 'x a', ''), fc.constantFrom<unknown>('application/json', API_USER, 'x', 1, null), { maxKeys: 2 }), scalarish), { nil: undefined })
  ).map(([method, path, operation, parentId, id, site, user, headers]) => own([['method', method], ['path', path], ['operation', operation], ['parentId', parentId], ['id', id], ['site', site], ['user', user], ['headers', headers]])), { nil: undefined }),
  fc.option(fc.oneof(
    fc.constantFrom<unknown>('always', 'sometimes', { first: 1 }, { first: 0 }, { first: -1 }, { after: 1 }, { every: 2 }, { every: 0 }, { every: -1 },
      { probability: 0.5 }, { probability: 1 }, { probability: 0 }, { probability: 1.5 }, { first: 1, every: 2 }, {}),
    fc.jsonValue({ maxDepth: 1 })
  ), { nil: undefined }),
  fc.option(fc.oneof(fc.integer(), fc.constantFrom<unknown>(-1, 1.5, '1', null)), { nil: undefined }),
  fc.oneof(
    fc.tuple(
      fc.option(fc.oneof({ weight: 4, arbitrary: fc.constantFrom<unknown>(...RULE_STATUS) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(200, 302, 418, 499, 599, 0, -1, '400', 400.5, null) }), { nil: undefined }),
      fc.option(ruleHeaders, { nil: undefined }),
      fc.option(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(null)), { nil: undefined }),
      fc.option(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom<unknown>(-1, 600001, 1.5, '10', null)), { nil: undefined })
    ).map(([status, headers, body, delayMs]) => ['response', own([['status', status], ['headers', headers], ['body', body], ['delayMs', delayMs]])] as const),
    fc.tuple(
      fc.option(fc.constantFrom<unknown>('error', 'warning', 'pending', 'success', 'bogus'), { nil: undefined }),
      fc.option(fc.constantFrom<unknown>('never', 'twice', 'late', 'bogus'), { nil: undefined }),
      fc.option(fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constantFrom<unknown>(-1, 600001)), { nil: undefined })
    ).map(([status, cb, callbackDelayMs]) => ['sync', own([['status', status], ['callback', cb], ['callbackDelayMs', callbackDelayMs]])] as const),
    fc.constant(['nothing', undefined] as const)
  )
).map(([name, match, when, seed, [kind, action]]) => JSON.stringify(own([['name', name], ['match', match], ['when', when], ['seed', seed], [kind, action]])))
/** A valid rule whose `response.body` is nested n deep: what happens when it fires? */
const deepRule = fc.tuple(depth, fc.constantFrom(400, 404, 409)).map(([n, status]) =>
  `{"name":"deep-${n}","match":{"path":"/api/bulk/2.0/*"},"response":{"status":${status},"body":${'['.repeat(n)}${']'.repeat(n)}}}`)
/**
 * Rules the schema accepts, with hostile values where it lets them through: paths full of `*`,
 * header names and values no HTTP response may carry, bodies of any shape.
 */
const ruleNames = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/), fc.constantFrom('definition-14-sync-error', 'definition-16-stuck-pending', 'fuzz'))
const starPath = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom('', 'Z', '/Z', 'data')).map(([n, tail]) => `/${'*'.repeat(n)}${tail}`),
  fc.tuple(fc.integer({ min: 1, max: 30 }), fc.constantFrom('/', 'a', 's', 'i'), fc.constantFrom('Z', '')).map(([n, c, tail]) => `/${`*${c}`.repeat(n)}${tail}`),
  fc.string({ unit: fc.constantFrom('*', '*', '/', 'a', 'p', 'i', '{', '}', 'x'), maxLength: 40 }).map((p) => `/${p}`)
)
/** Present now and then: each extra criterion makes a rule match less. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, weight = 1): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight, arbitrary })
const acceptedRule = fc.tuple(
  ruleNames,
  fc.oneof(
    fc.tuple(
      fc.tuple(
        sometimes(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD')),
        sometimes(fc.oneof(starPath, fc.constantFrom(...PATH_TEMPLATES.filter((p) => p.startsWith('/')))), 3),
        sometimes(fc.constantFrom('uploadSyncActionData', 'createSync', 'getSync', 'listSyncs', 'listCustomObjects')),
        sometimes(fc.constantFrom(9, 10)),
        sometimes(fc.constantFrom(6, 7, 8, 11)),
        sometimes(fc.constantFrom('APITest', 'apitest')),
        sometimes(fc.constantFrom('API.User', 'Events.User')),
        sometimes(fc.dictionary(fc.constantFrom('content-type', 'authorization', 'x-fuzz', 'Content-Type'), fc.constantFrom('application/json', API_USER, 'x'), { minKeys: 1, maxKeys: 1 }))
      ).map(([method, path, operation, parentId, id, site, user, headers]) => own([['method', method], ['path', path], ['operation', operation], ['parentId', parentId], ['id', id], ['site', site], ['user', user], ['headers', headers]])),
      fc.tuple(
        fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 4, arbitrary: fc.constantFrom(...RULE_STATUS) }),
        sometimes(ruleHeaders, 2),
        sometimes(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(null)), 2),
        sometimes(fc.integer({ min: 0, max: 20 }))
      ).map(([status, headers, body, delayMs]) => own([['status', status], ['headers', headers], ['body', body], ['delayMs', delayMs ?? (status === undefined ? 1 : undefined)]]))
    ).map(([match, response]) => ({ match, response })),
    fc.tuple(
      fc.tuple(sometimes(fc.constantFrom(9, 10), 3), sometimes(fc.constantFrom(6, 7, 8, 11, 14), 3)).map(([parentId, id]) => own([['parentId', parentId], ['id', id]])),
      fc.tuple(sometimes(fc.constantFrom('error', 'warning', 'pending'), 3), sometimes(fc.constantFrom('never', 'twice', 'late'), 2), sometimes(fc.integer({ min: 0, max: 10 })))
        .map(([status, callback, callbackDelayMs]) => own([['status', status ?? 'warning'], ['callback', callback], ['callbackDelayMs', callbackDelayMs]]))
    ).map(([match, sync]) => ({ match, sync }))
  ),
  sometimes(fc.constantFrom<unknown>('always', { first: 1 }, { after: 1 }, { every: 2 }, { probability: 0.5 }))
).map(([name, rule, when]) => JSON.stringify({ name, ...rule, ...(when === undefined ? {} : { when }) }))
const faultBody = fc.oneof(
  { weight: 4, arbitrary: acceptedRule },
  { weight: 3, arbitrary: faultRule },
  { weight: 1, arbitrary: deepRule },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.oneof(deepMember('name'), deepMember('match')) }
).map(json)

const clockBody = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(fc.integer({ min: 0, max: 315_360_000_000 }), fc.integer({ min: 0, max: 5000 })).map((ms) => JSON.stringify({ advanceMs: ms })) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(-1, 315_360_000_001, 1.5, '1000', null, true, [], {}, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, -0).map((v) => JSON.stringify({ advanceMs: v })) },
  { weight: 1, arbitrary: fc.double().map((v) => `{"advanceMs":${String(v)}}`) },
  { weight: 1, arbitrary: fc.constantFrom('{"advanceMs":1e400}', '{"advanceMs":-1e400}', '{"advanceMs":1e3}', '{"advanceMs":1.0}', '{"advanceMs":0x10}', '{"advanceMs":10,"advanceMs":-1}', '{"advanceMs":10,"x":1}', '{}', '', '[]') },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: deepMember('advanceMs') }
).map(json)

// Requests --------------------------------------------------------------------------------------

type Endpoint = (auth: fc.Arbitrary<string | undefined>) => fc.Arbitrary<FuzzRequest>

/** A bodiless request; now and then with a Content-Type, or a body it should not have. */
const bodiless = (method: string, path: fc.Arbitrary<string>, auth: fc.Arbitrary<string | undefined>, queries = maybeQuery): fc.Arbitrary<FuzzRequest> =>
  fc.tuple(path, queries, auth, extraHeaders, fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.tuple(hostileContentType, fc.constantFrom<string | undefined>(undefined, '', '[]', '{"a":1}', 'Id\r\nx\r\n', '\u0000')) }
  )).map(([p, qs, a, extra, body]) => request(method, p + qs, { authorization: a, ...extra, ...(body === undefined ? {} : { 'content-type': body[0] }) }, body?.[1]))

const withBody = (method: string, path: fc.Arbitrary<string>, auth: fc.Arbitrary<string | undefined>, body: fc.Arbitrary<Body>): fc.Arbitrary<FuzzRequest> =>
  fc.tuple(path, maybeQuery, auth, extraHeaders, typed(body))
    .map(([p, qs, a, extra, b]) => request(method, p + qs, { authorization: a, 'content-type': b.contentType, ...extra }, b.payload))

const P = {
  customObjects: fc.tuple(bulk, trailing).map(([b, s]) => `${b}/customObjects${s}`),
  customObject: fc.tuple(bulk, idSegment, trailing).map(([b, id, s]) => `${b}/customObjects/${id}${s}`),
  fields: fc.tuple(bulk, idSegment, trailing).map(([b, id, s]) => `${b}/customObjects/${id}/fields${s}`),
  field: fc.tuple(bulk, idSegment, idSegment, trailing).map(([b, p, id, s]) => `${b}/customObjects/${p}/fields/${id}${s}`),
  definitions: fc.tuple(bulk, idSegment, trailing).map(([b, p, s]) => `${b}/customObjects/${p}/syncActions${s}`),
  allDefinitions: fc.tuple(bulk, trailing).map(([b, s]) => `${b}/syncActions${s}`),
  definition: fc.tuple(bulk, idSegment, idSegment, trailing).map(([b, p, id, s]) => `${b}/customObjects/${p}/syncActions/${id}${s}`),
  data: fc.tuple(bulk, fc.oneof({ weight: 4, arbitrary: fc.constantFrom(['9', '6'], ['9', '7'], ['9', '8'], ['9', '14'], ['9', '16'], ['10', '11'], ['9', '17'], ['9', '18']) }, { weight: 1, arbitrary: fc.tuple(idSegment, idSegment) }), trailing)
    .map(([b, [p, id], s]) => `${b}/customObjects/${p}/syncActions/${id}/data${s}`),
  syncs: fc.tuple(bulk, trailing).map(([b, s]) => `${b}/syncs${s}`),
  sync: fc.tuple(bulk, idSegment, fc.constantFrom('', '/logs', '/rejects', '/data'), trailing).map(([b, id, what, s]) => `${b}/syncs/${id}${what}${s}`)
}
const listQuery = fc.oneof({ weight: 1, arbitrary: fc.constant('') }, { weight: 4, arbitrary: query })
/** Lists that exist, so that their query strings are what gets judged. */
const listPath = fc.oneof(
  fc.tuple(bulk, trailing).map(([b, s]) => `${b}/customObjects${s}`),
  fc.tuple(bulk, fc.constantFrom('9', '10'), trailing).map(([b, id, s]) => `${b}/customObjects/${id}/fields${s}`),
  fc.tuple(bulk, fc.constantFrom('9', '10'), trailing).map(([b, id, s]) => `${b}/customObjects/${id}/syncActions${s}`),
  fc.tuple(bulk, trailing).map(([b, s]) => `${b}/syncActions${s}`),
  fc.tuple(bulk, trailing).map(([b, s]) => `${b}/syncs${s}`),
  fc.tuple(bulk, fc.constantFrom('1', '2', '3'), fc.constantFrom('/logs', '/rejects'), trailing).map(([b, id, what, s]) => `${b}/syncs/${id}${what}${s}`)
)

const endpoints: Record<string, Endpoint> = {
  discover: (auth) => bodiless('GET', fc.constantFrom('/id', '/ID', '/id/', '//id'), auth),
  listCustomObjects: (auth) => bodiless('GET', P.customObjects, auth, listQuery),
  getCustomObject: (auth) => bodiless('GET', P.customObject, auth),
  listFields: (auth) => bodiless('GET', P.fields, auth, listQuery),
  getField: (auth) => bodiless('GET', P.field, auth),
  createDefinition: (auth) => withBody('POST', P.definitions, auth, definitionBody),
  listDefinitions: (auth) => bodiless('GET', P.definitions, auth, listQuery),
  listAllDefinitions: (auth) => bodiless('GET', P.allDefinitions, auth, listQuery),
  getDefinition: (auth) => bodiless('GET', P.definition, auth),
  replaceDefinition: (auth) => withBody('PUT', P.definition, auth, definitionBody),
  deleteDefinition: (auth) => bodiless('DELETE', P.definition, auth),
  upload: (auth) => withBody('POST', P.data, auth, uploadBody),
  deleteData: (auth) => bodiless('DELETE', P.data, auth),
  createSync: (auth) => withBody('POST', P.syncs, auth, syncBody),
  listSyncs: (auth) => bodiless('GET', P.syncs, auth, listQuery),
  getSync: (auth) => bodiless('GET', P.sync, auth, listQuery),
  createImport: (auth) => withBody('POST', importFamily, auth, importBody),
  listImports: (auth) => bodiless('GET', fc.oneof(importFamily, fc.tuple(bulk, trailing).map(([b, s]) => `${b}/imports${s}`)), auth, listQuery),
  replaceImport: (auth) => withBody('PUT', importItem, auth, importBody),
  importItem: (auth) => fc.tuple(fc.constantFrom('GET', 'DELETE'), importItem, auth, fc.constantFrom('', '?limit=50001', '?offset=9007199254740991', '?limit=1&totalResults=false', '?offset=-1')).map(([method, path, authorization, qs]) => request(method, path + qs, { authorization })),
  uploadImport: (auth) => withBody('POST', importItem.map((path) => path.includes('/data') ? path : `${path.replace(/\/+$/, '')}/data`), auth, fc.oneof(importRows, uploadBody))
}

// Valid credentials but now and then, so that the rest of the request is what gets judged.
const normalAuth = fc.oneof({ weight: 19, arbitrary: fc.constant<string | undefined>(API_USER) }, { weight: 1, arbitrary: authorization })
const ADMIN = fc.constant<string | undefined>(undefined)
const control = fc.oneof(
  bodiless('GET', fc.constantFrom('/__mock/health', '/__mock/health/', '/__MOCK/HEALTH', '/__mock/openapi.json', '/__mock/clock', '/__mock/faults', '/__mock'), ADMIN),
  bodiless('GET', fc.constant('/__mock/state'), ADMIN, fc.oneof(fc.constantFrom('', '?records=false', '?records=true', '?records=0', '?records=1', '?records=FALSE', '?records=', '?records=yes', '?records=false&records=true', '?x=1', '?records[]=false'), query)),
  bodiless('POST', fc.constantFrom('/__mock/reset', '/__mock/reset/'), ADMIN),
  bodiless('DELETE', fc.oneof(fc.constant('/__mock/faults'), fc.oneof(fc.constantFrom('definition-14-sync-error', 'definition-16-stuck-pending', 'nope', '%', '%2F', '..', '%00'), fc.string({ maxLength: 10 }).map(enc), fc.constant('n'.repeat(5000))).map((name) => `/__mock/faults/${name}`)), ADMIN),
  { weight: 3, arbitrary: withBody('POST', fc.constant('/__mock/faults'), ADMIN, faultBody) },
  { weight: 2, arbitrary: withBody('POST', fc.constant('/__mock/clock'), ADMIN, clockBody) }
)

/** Valid requests that give a run state to lose: staged uploads, definitions, syncs. */
const validRecords = fc.array(fc.constantFrom('DLPSB000000000020', 'DLPSB000000000021', 'DLPSB000000000099', ''), { minLength: 1, maxLength: 5 })
export const setup = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom(['9', '6', 'Id'], ['9', '7', 'Id'], ['9', '8', 'RecordId'], ['9', '14', 'Id'], ['9', '15', 'Id'], ['9', '16', 'Id'], ['10', '11', 'AttendeeId'], ['9', '17', 'Id'], ['9', '17', '__proto__'], ['9', '17', 'constructor']), validRecords, fc.boolean())
      .map(([[p, id, key], ids, asCsv]) => asCsv
        ? request('POST', `/api/bulk/2.0/customObjects/${p}/syncActions/${id}/data`, { authorization: API_USER, 'content-type': 'text/csv' }, `${key}\r\n${ids.join('\r\n')}\r\n`)
        : request('POST', `/api/bulk/2.0/customObjects/${p}/syncActions/${id}/data`, { authorization: API_USER, 'content-type': 'application/json' }, JSON.stringify(ids.map((v) => own([[key, v]])))))
  },
  { weight: 1, arbitrary: validDefinition.map((body) => request('POST', '/api/bulk/2.0/customObjects/9/syncActions', { authorization: API_USER, 'content-type': 'application/json' }, body)) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('/contacts/imports', '/accounts/imports', '/customObjects/9/imports'), fc.boolean()).map(([family, onImport]) => {
      const fields = family === '/contacts/imports' ? { e: '{{Contact.Field(C_EmailAddress)}}', f: '{{Contact.Field(C_FirstName)}}' } : family === '/accounts/imports' ? { e: '{{Account.Field(M_CompanyName)}}', f: '{{Account.Field(M_Country)}}' } : { e: '{{CustomObject[9].Field[102]}}', f: '{{CustomObject[9].Field[101]}}' }
      return request('POST', `/api/bulk/2.0${family}`, { authorization: API_USER, 'content-type': 'application/json' }, JSON.stringify({ name: 'Fuzz import', fields, identifierFieldName: 'e', isSyncTriggeredOnImport: onImport, mapDataCards: family.startsWith('/customObjects') ? 'true' : undefined, mapDataCardsEntityType: 'Contact', mapDataCardsEntityField: '{{Contact.Field(C_EmailAddress)}}', mapDataCardsSourceField: 'f' }))
    })
  },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...DEFINITION_URIS), fc.boolean()).map(([uri, cb]) => request('POST', '/api/bulk/2.0/syncs', { authorization: API_USER, 'content-type': 'application/json' }, JSON.stringify(cb ? { syncedInstanceUri: uri, callbackUrl: 'http://127.0.0.1:9/callback' } : { syncedInstanceUri: uri }))) },
  { weight: 1, arbitrary: fc.constantFrom(1000, 60_000).map((ms) => request('POST', '/__mock/clock', { 'content-type': 'application/json' }, JSON.stringify({ advanceMs: ms }))) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', "'{{Contact.Field(C_EmailAddress)}}' ~ '%@example.com'", "EXISTS('{{ContactList[1]}}') OR NOT '{{Contact.Id}}' > 2").map((filter) =>
      request('POST', '/api/bulk/2.0/contacts/exports', { authorization: API_USER, 'content-type': 'application/json' }, JSON.stringify({ name: 'Fuzz export', fields: { Id: '{{Contact.Id}}', Email: '{{Contact.Field(C_EmailAddress)}}' }, filter })))
  }
)

const ALL_PATHS = fc.oneof(...Object.values(P), fc.constantFrom('/id', '/__mock/health', '/__mock/state', '/__mock/reset', '/__mock/faults', '/__mock/clock', '/__mock/openapi.json', '/', '/api', '/api/bulk/2.0', '/api/bulk/1.0/syncs', '/api/REST/2.0/data/contacts'), fc.webPath().map((path) => path.startsWith('/') ? path : `/${path}`))
const anything = fc.tuple(fc.constantFrom(...METHODS), ALL_PATHS, maybeQuery, authorization, extraHeaders, fc.option(typed(fc.oneof(uploadBody, definitionBody, syncBody, faultBody)), { nil: undefined }))
  .map(([method, path, qs, auth, extra, body]) => request(method, path + qs, { authorization: auth, ...extra, ...(body === undefined ? {} : { 'content-type': body.contentType }) }, method === 'GET' || method === 'HEAD' ? undefined : body?.payload))

const hostileAuth = fc.oneof({ weight: 1, arbitrary: fc.constant<string | undefined>(API_USER) }, { weight: 4, arbitrary: authorization })
// `runs`: how many runs `npm test` makes of each (under a second each on a quiet machine, when they pass); `npm run fuzz` makes 20,000.
export const GROUPS: Array<{ name: string, runs: number, request: fc.Arbitrary<FuzzRequest> }> = [
  { name: 'GET /id, and credentials on every endpoint', runs: 35, request: fc.oneof({ weight: 3, arbitrary: endpoints.discover!(hostileAuth) }, ...Object.values(endpoints).map((endpoint) => endpoint(hostileAuth))) },
  {
    name: 'lists: limit, offset, totalResults, orderBy, q',
    runs: 40,
    request: fc.oneof({ weight: 4, arbitrary: bodiless('GET', listPath, normalAuth, query) }, ...['listCustomObjects', 'listFields', 'listDefinitions', 'listAllDefinitions', 'listSyncs', 'getSync'].map((name) => endpoints[name]!(normalAuth)))
  },
  { name: 'ids in paths', runs: 35, request: fc.oneof(...['getCustomObject', 'getField', 'getDefinition', 'deleteDefinition', 'deleteData', 'getSync', 'listFields', 'listDefinitions'].map((name) => endpoints[name]!(normalAuth))) },
  { name: 'uploads: bodies, Content-Types, encodings', runs: 50, request: fc.oneof({ weight: 6, arbitrary: endpoints.upload!(normalAuth) }, endpoints.deleteData!(normalAuth), endpoints.createSync!(normalAuth)) },
  { name: 'sync action definitions: create, replace, delete', runs: 40, request: fc.oneof({ weight: 3, arbitrary: endpoints.createDefinition!(normalAuth) }, { weight: 2, arbitrary: endpoints.replaceDefinition!(normalAuth) }, endpoints.deleteDefinition!(normalAuth), endpoints.upload!(normalAuth)) },
  {
    name: 'imports and contact or account sync actions: create, replace, upload, sync',
    runs: 40,
    request: fc.oneof({ weight: 3, arbitrary: endpoints.createImport!(normalAuth) }, endpoints.replaceImport!(normalAuth), endpoints.importItem!(normalAuth), { weight: 2, arbitrary: endpoints.uploadImport!(normalAuth) }, endpoints.listImports!(normalAuth), endpoints.createSync!(normalAuth))
  },
  { name: 'syncs: create, read, logs, rejects', runs: 40, request: fc.oneof({ weight: 3, arbitrary: endpoints.createSync!(normalAuth) }, endpoints.getSync!(normalAuth), endpoints.listSyncs!(normalAuth), endpoints.upload!(normalAuth), endpoints.deleteData!(normalAuth), endpoints.deleteDefinition!(normalAuth)) },
  { name: 'the /__mock control surface', runs: 50, request: fc.oneof({ weight: 4, arbitrary: control }, { weight: 1, arbitrary: fc.oneof(...Object.values(endpoints).map((endpoint) => endpoint(normalAuth))) }) },
  { name: 'any method, any path, any body', runs: 50, request: anything }
]
