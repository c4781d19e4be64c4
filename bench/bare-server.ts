// The baseline: a bare node:http server doing the same work as the mock's upload endpoint
// (check Basic credentials, read and parse the JSON body, check it is an array of objects,
// keep the bytes, answer 204), with none of the framework around it.
import { createServer } from 'node:http'
import { timingSafeEqual, createHash } from 'node:crypto'

const expected = createHash('sha256').update('secret').digest()
const staged: Buffer[] = []

const server = createServer((req, res) => {
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
    res.writeHead(204).end()
  })
})

server.listen(Number(process.env.PORT), '127.0.0.1')
process.on('SIGTERM', () => server.close())
