import t from 'tap'
import Type from 'typebox'
import Value from 'typebox/value'
import { ConfigError, loadConfig, serviceEnv } from '../src/index.ts'
import { readPlainConfig } from '../src/config-read.ts'

// Every kind of variable the services declare: the quick reader must agree with TypeBox on each.
const Config = Type.Object({
  ...serviceEnv(4100),
  SCHEMA: Type.String({ pattern: '^[a-z_][a-z0-9_]*$', default: 'runs' }),
  KEY: Type.String({ minLength: 8 }),
  RATE: Type.Number({ minimum: 0, default: 1.5 }),
  ON: Type.Boolean({ default: false }),
  LIMIT: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
  NAME: Type.Optional(Type.String({ minLength: 1, maxLength: 4 }))
})

/** What the configuration was before the quick reader: TypeBox converts, then checks. */
function withTypeBox (env: Record<string, string>): unknown {
  const converted = Value.Convert(Config, Value.Default(Config, { ...env }))
  return Value.Check(Config, converted) ? converted : 'invalid'
}

function read (env: Record<string, string>): unknown {
  try {
    return loadConfig(Config, env)
  } catch (error) {
    if (error instanceof ConfigError) return 'invalid'
    throw error
  }
}

const cases: Record<string, string>[] = [
  { KEY: 'k'.repeat(8) },
  { KEY: 'k'.repeat(8), PORT: '0', LOG_LEVEL: 'debug', RATE: '0.25', ON: 'true', LIMIT: '10', SCHEMA: 'a_1', METRICS_TOKEN: 't'.repeat(16) },
  { KEY: 'k'.repeat(8), ON: 'false', LIMIT: '1', PORT: '65535' },
  // Out of the ordinary: TypeBox decides, converting loosely or refusing.
  { KEY: 'k'.repeat(8), PORT: '08' }, { KEY: 'k'.repeat(8), ON: '1' }, { KEY: 'k'.repeat(8), ON: 'TRUE' }, { KEY: 'k'.repeat(8), RATE: '1e2' },
  { KEY: 'k'.repeat(8), LIMIT: '11' }, { KEY: 'k'.repeat(8), LIMIT: '0' }, { KEY: 'k'.repeat(8), PORT: 'eighty' }, { KEY: 'k'.repeat(8), LOG_LEVEL: 'loud' },
  { KEY: 'short' }, {}, { KEY: 'k'.repeat(8), SCHEMA: 'Runs' }, { KEY: 'k'.repeat(8), METRICS_TOKEN: 'short' }, { KEY: 'k'.repeat(8), RATE: '-1' },
  { KEY: 'k'.repeat(8), NAME: 'abcd' }, { KEY: 'k'.repeat(8), NAME: 'abcde' }, { KEY: 'k'.repeat(8), NAME: '\u{1F600}\u{1F600}\u{1F600}\u{1F600}' }
]

t.test('a configuration reads the same with or without TypeBox, ordinary or not', async (t) => {
  for (const env of cases) t.same(read(env), withTypeBox(env), JSON.stringify(env))
})

t.test('only plainly well-formed values are read without TypeBox', async (t) => {
  t.same(readPlainConfig(Config, { KEY: 'k'.repeat(8), LIMIT: '3', ON: 'true' }), { HOST: '127.0.0.1', PORT: 4100, LOG_LEVEL: 'info', SCHEMA: 'runs', KEY: 'kkkkkkkk', RATE: 1.5, ON: true, LIMIT: 3 })
  t.equal(readPlainConfig(Config, { KEY: 'k'.repeat(8), PORT: '08' }), undefined, 'a leading zero goes to TypeBox')
  t.equal(readPlainConfig(Config, {}), undefined, 'a missing required variable goes to TypeBox, which names it')
  t.equal(readPlainConfig(Type.Object({ A: Type.String({ format: 'uri' }) }), { A: 'x' }), undefined, 'an unknown keyword goes to TypeBox')
})
