import { PassThrough } from 'node:stream'
import t from 'tap'
import type { FastifyRequest } from 'fastify'
import { readPieces } from '../../src/plugins/body-pieces.js'

const request = (headers: Record<string, string>, bodyLimit = 10): FastifyRequest => ({ headers, routeOptions: { bodyLimit } }) as unknown as FastifyRequest

/** What readPieces hands over for a body written to it in `writes`, and each piece it saw arrive. */
async function read (headers: Record<string, string>, writes: Array<Buffer | string>, options: { encodedLength?: number, error?: Error } = {}): Promise<{ err: (Error & { statusCode?: number, code?: string }) | null, body: string, seen: number }> {
  const payload = new PassThrough({ objectMode: true }) as PassThrough & { receivedEncodedLength?: number }
  if (options.encodedLength !== undefined) payload.receivedEncodedLength = options.encodedLength
  return await new Promise((resolve) => {
    let seen = 0
    readPieces(request(headers), payload, () => { seen++ }, (err, pieces, length) => {
      resolve({ err, body: Buffer.concat(pieces, length).toString(), seen })
    })
    for (const write of writes) payload.write(write)
    if (options.error !== undefined) payload.destroy(options.error)
    else payload.end()
  })
}

t.test('pieces are handed over as they came, each seen on arrival; strings become bytes', async (t) => {
  const result = await read({ 'content-length': '7' }, [Buffer.from('abc'), 'déf'])
  t.equal(result.err, null)
  t.equal(result.body, 'abcdéf')
  t.equal(result.seen, 2)
  t.equal((await read({}, ['ab'])).body, 'ab', 'no Content-Length: whatever arrives')
})

t.test('the body limit holds before reading and while reading, as fastify holds it', async (t) => {
  t.equal((await read({ 'content-length': '11' }, [])).err?.code, 'FST_ERR_CTP_BODY_TOO_LARGE', 'by Content-Length')
  const over = await read({}, ['123456', '789012'])
  t.equal(over.err?.code, 'FST_ERR_CTP_BODY_TOO_LARGE', 'by what arrives')
  t.equal(over.seen, 1, 'the piece past the limit is not taken')
  t.equal((await read({}, ['12'], { encodedLength: 11 })).err?.code, 'FST_ERR_CTP_BODY_TOO_LARGE', 'by what a decoding stream received')
})

t.test('a body that does not match its Content-Length is refused; a stream error answers 400', async (t) => {
  t.equal((await read({ 'content-length': '5' }, ['1234'])).err?.code, 'FST_ERR_CTP_INVALID_CONTENT_LENGTH')
  t.equal((await read({ 'content-length': '5' }, ['12'], { encodedLength: 5 })).err, null, 'a decoding stream: what it received counts')
  const failed = await read({}, ['12'], { error: new Error('aborted') })
  t.equal(failed.err?.message, 'aborted')
  t.equal(failed.err?.statusCode, 400)
  const teapot = Object.assign(new Error('teapot'), { statusCode: 418 })
  t.equal((await read({}, [], { error: teapot })).err?.statusCode, 418, 'a status of 400 or more is kept')
})
