// Writes the record-list scan's WebAssembly module (see record-scan-wasm.ts).
import { mkdirSync, writeFileSync } from 'node:fs'
import { GENERATED, recordScanModule } from './record-scan-wasm.js'

mkdirSync(new URL('.', GENERATED), { recursive: true })
writeFileSync(GENERATED, await recordScanModule())
