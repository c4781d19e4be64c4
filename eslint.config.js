import neostandard, { resolveIgnoresFromGitignore } from 'neostandard'

// The validators written by `npm run schema` are ajv's generated code; src/wasm is AssemblyScript,
// which its own compiler reads (npm run wasm).
export default neostandard({ ts: true, ignores: [...resolveIgnoresFromGitignore(), 'src/schemas/generated/**', 'src/wasm/**'] })
