import neostandard, { resolveIgnoresFromGitignore } from 'neostandard'

// The validators written by `npm run schema` are ajv's generated code.
export default neostandard({ ts: true, ignores: [...resolveIgnoresFromGitignore(), 'src/schemas/generated/**'] })
