// The baseline: a bare node:http server doing the same work as the mock's upload endpoint
// (check Basic credentials, read and parse the JSON body, check it is an array of objects,
// keep the bytes, answer 204), with none of the framework around it.
// With BARE_LINE_AND_JOURNAL=1 it also does, as plainly, what the mock must do besides at its
// defaults: a request id sent as X-Request-Id, one JSON log line per request (pino's fields,
// written to stdout in batches of 64 KiB or every 100 ms) and a journal entry with the first
// 1,024 bytes of the body, the last 10,000 kept. That shows what those two duties cost on their own.
import { createServer } from 'node:http'
import { timingSafeEqual, createHash } from 'node:crypto'
import { write } from 'node:fs'
import { hostname } from 'node:os'

const expected = createHash('sha256').update('secret').digest()
const staged: Buffer[] = []
const lineAndJournal = process.env.BARE_LINE_AND_JOURNAL === '1'

let lines = ''
const writeLines = (): void => {
  const batch = Buffer.from(lines)
  lines = ''
  write(1, batch, () => {})
}
if (lineAndJournal) setInterval(() => { if (lines.length > 0) writeLines() }, 100).unref()
const bindings = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`
interface Entry { id: number, time: number, method: string, path: string, status: number, durationMs: number, requestBytes: number, requestBody: string }
const journal: Entry[] = []
let next = 0
let requests = 0

function completed (id: number, url: string, start: number, body: Buffer): void {
  const responseTime = performance.now() - start
  lines += `{"level":30,"time":${Date.now()}${bindings},"reqId":"req-${id.toString(36)}","method":"POST","url":${JSON.stringify(url)},"statusCode":204,"responseTime":${responseTime},"msg":"request completed"}\n`
  if (lines.length >= 64 * 1024) writeLines()
  journal[next] = { id, time: Date.now(), method: 'POST', path: url, status: 204, durationMs: responseTime, requestBytes: body.length, requestBody: body.toString('utf8', 0, 1024) }
  next = (next + 1) % 10_000
}

const server = createServer((req, res) => {
  const start = lineAndJournal ? performance.now() : 0
  const auth = req.headers.authorization ?? ''
  const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (!auth.startsWith('Basic ') || decoded.slice(0, colon) !== 'APITest\\API.User' ||
    !timingSafeEqual(createHash('sha256').update(decoded.slice(colon + 1)).digest(), expected)) {
    res.writeHead(401).end()
    return
  }
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const body = Buffer.concat(chunks)
    let records: unknown
    try {
      records = JSON.parse(body.toString('utf8'))
    } catch {
      res.writeHead(400).end()
      return
    }
    if (!Array.isArray(records) || !records.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) {
      res.writeHead(400).end()
      return
    }
    staged.push(body)
    if (!lineAndJournal) {
      res.writeHead(204).end()
      return
    }
    const id = ++requests
    res.writeHead(204, 'Success', { 'x-request-id': `req-${id.toString(36)}` }).end()
    res.on('finish', () => { completed(id, req.url!, start, body) })
  })
})

server.listen(Number(process.env.PORT), '127.0.0.1')
process.on('SIGTERM', () => server.close())
