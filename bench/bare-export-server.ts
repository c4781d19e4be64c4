// The baseline of the export benchmark: a bare node:http server that fetched every page of a
// sync's data from the mock once, before the timed run, and sends those bytes as they are.
import { createServer } from 'node:http'

const source = process.env.BARE_SOURCE as string
const rows = Number(process.env.BARE_ROWS)
const page = Number(process.env.BARE_PAGE)
const headers = { authorization: `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}` }
const pages = new Map<string, Buffer>()

const server = createServer((request, response) => {
  (async () => {
    const url = request.url ?? '/'
    if (url === '/ready') {
      response.end('ok')
      return
    }
    if (url.startsWith('/load/')) {
      // Before a timed run: every page of the sync, fetched from the mock once.
      const sync = url.slice('/load'.length)
      pages.clear()
      for (let offset = 0; offset < rows; offset += page) {
        const path = `${sync}/data?limit=${page}&offset=${offset}`
        pages.set(path, Buffer.from(await (await fetch(`${source}${path}`, { headers })).arrayBuffer()))
      }
      response.end('loaded')
      return
    }
    const body = pages.get(url)
    if (body === undefined) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length })
    response.end(body)
  })().catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
})
server.listen(Number(process.env.PORT), process.env.HOST)
