/**
 * Chevrotain, from its one-file build: the same code and version as the package's entry, which
 * loads as some 300 modules (lodash-es among them) and takes about 300 ms at every start, where
 * this file takes about 20. The package's exports map names only its entry, so the file is found
 * beside it; if it is ever not there, the entry is loaded instead.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type * as Chevrotain from 'chevrotain'

export async function loadChevrotain (resolve: (name: string) => string = createRequire(import.meta.url).resolve): Promise<typeof Chevrotain> {
  let bundle: string
  try {
    // The entry is lib/src/api.js; the one-file build is lib/chevrotain.mjs.
    bundle = new URL('../chevrotain.mjs', pathToFileURL(resolve('chevrotain'))).href
  } catch {
    return await import('chevrotain')
  }
  return await import(bundle).catch(async () => await import('chevrotain')) as typeof Chevrotain
}

export const { EmbeddedActionsParser, Lexer, createToken } = await loadChevrotain()
