/**
 * Every setting, its environment variable, its command-line flag and its default, in one JSON
 * schema. ajv validates and coerces environment and flags together (flags win) and the result is
 * a frozen, typed Config. buildApp never reads process.env itself.
 */
import { parseArgs } from 'node:util'
import type { ErrorObject, ValidateFunction } from 'ajv'
import { DEFAULT_FIXTURES_PATH } from './paths.js'
import { configSchema, type Config, type ConfigKey } from './schemas/config.js'
import * as compiled from './schemas/generated/config-validator.js'

export { configSchema, type Config, type ConfigKey }

/** HTTPS is served when asked for with TLS, or when a certificate is given. */
export function tlsEnabled (config: Config): boolean {
  return config.TLS || config.TLS_CERT !== ''
}

/** `MAX_UPLOAD_BYTES` is set by `--max-upload-bytes`. */
export function flagName (key: ConfigKey): string {
  return key.toLowerCase().replaceAll('_', '-')
}

const CONFIG_KEYS = Object.keys(configSchema.properties) as ConfigKey[]

/**
 * The schema compiled ahead of time (npm run schema): it coerces text to the schema's types and
 * fills in defaults, with every problem reported; FIXTURES, whose default is where the package is
 * installed, is filled in by loadConfig.
 */
const validateConfig = compiled.validateConfig as ValidateFunction

export class ConfigError extends Error {
  constructor (problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`)
    this.name = 'ConfigError'
  }
}

/** Validates settings taken from the environment and from flags (flags win). */
export function loadConfig (env: Readonly<Record<string, string | undefined>>, flags: Readonly<Record<string, string | undefined>> = {}): Config {
  const fromFlags: Record<string, string> = {}
  for (const key of CONFIG_KEYS) {
    const value = flags[flagName(key)]
    if (value !== undefined) fromFlags[key] = value
  }
  // Only the settings are taken from the environment: other variables are none of the mock's business.
  const given: Record<string, unknown> = {}
  for (const key of CONFIG_KEYS) {
    const value = fromFlags[key] ?? env[key]
    if (value !== undefined) given[key] = value
  }
  if (!validateConfig(given)) {
    // A failed validation always leaves its errors.
    throw new ConfigError((validateConfig.errors as ErrorObject[]).map((e) => {
      const key = e.instancePath.slice(1) as ConfigKey
      // Only given values can fail: defaults are valid. (A failed coercion leaves the text as given.)
      return `${key} (--${flagName(key)}): ${String(e.message)}, got ${JSON.stringify(fromFlags[key] ?? env[key])}`
    }))
  }
  given.FIXTURES ??= DEFAULT_FIXTURES_PATH
  const config = given as unknown as Config
  if (tlsEnabled(config) && config.PORT === config.TLS_PORT && config.PORT !== 0) {
    throw new ConfigError([`TLS_PORT (--tls-port): must differ from PORT, which serves HTTP, got ${config.TLS_PORT}`])
  }
  return Object.freeze(config)
}

export interface CommandLine {
  help: boolean
  version: boolean
  flags: Record<string, string | undefined>
}

const BOOLEAN_FLAGS = new Set(CONFIG_KEYS.filter((key) => configSchema.properties[key].type === 'boolean').map((key) => `--${flagName(key)}`))

/** `--tls` alone means `--tls true`: a yes-or-no flag not followed by true or false turns it on. */
function withImpliedTrue (argv: readonly string[]): string[] {
  const args: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    args.push(arg)
    if (BOOLEAN_FLAGS.has(arg) && argv[i + 1] !== 'true' && argv[i + 1] !== 'false') args.push('true')
  }
  return args
}

/** Parses argv strictly: an unknown flag or a missing value is an error, not a silent default. */
export function parseCommandLine (argv: readonly string[]): CommandLine {
  const options: Record<string, { type: 'string' | 'boolean', short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' }
  }
  for (const key of CONFIG_KEYS) options[flagName(key)] = { type: 'string' }
  const { values } = parseArgs({ args: withImpliedTrue(argv), options, strict: true, allowPositionals: false })
  const flags: Record<string, string | undefined> = {}
  for (const key of CONFIG_KEYS) {
    const value = values[flagName(key)]
    if (typeof value === 'string') flags[flagName(key)] = value
  }
  return { help: values.help === true, version: values.version === true, flags }
}

export function helpText (version: string): string {
  const rows = CONFIG_KEYS.map((key) => {
    const property = configSchema.properties[key]
    const values = 'enum' in property ? ` (${property.enum.join('|')})` : ''
    const fallback = key === 'FIXTURES' ? 'bundled fixtures' : property.default === '' ? '(none)' : String(property.default)
    const value = property.type === 'boolean' ? '[true|false]' : '<value>'
    return `  --${flagName(key)} ${value}\n      env ${key}, default ${fallback}${values}\n      ${property.description}`
  })
  return [
    `eloqua-bulk-mock ${version}: a local Oracle Eloqua Bulk API 2.0 for tests and development`,
    '',
    'Usage: eloqua-bulk-mock [options]',
    '',
    'Every option can also be set by its environment variable; a flag wins over the variable.',
    '',
    ...rows,
    '  -h, --help      print this help and exit',
    '  -v, --version   print the version and exit',
    '',
    'Mock endpoints: GET /__mock/health, GET /__mock/state, POST /__mock/reset, GET|POST|DELETE /__mock/faults,',
    'GET|POST /__mock/clock, GET /__mock/openapi.json. They need no Eloqua credentials: keep the port private,',
    'or set ADMIN_TOKEN (then every one but health needs Authorization: Bearer <token>). All state is in memory.',
    ''
  ].join('\n')
}
