import pino, { type Logger } from 'pino'

// Anything that may carry credentials is removed from every log line, wherever it appears.
export const REDACTED_PATHS = [
  'uri', '*.uri', '*.*.uri', 'connectionString', '*.connectionString', 'password', '*.password',
  'secret', '*.secret', 'authorization', '*.authorization', 'req.headers.authorization', 'req.headers.cookie',
  'DATABASE_URL', 'S3_SECRET_ACCESS_KEY', 'KALLA_ENCRYPTION_KEY', 'KALLA_ENCRYPTION_KEYS_PREVIOUS', 'KALLA_RESOLVE_KEY', 'KALLA_ADMIN_KEY'
]

/** Pino JSON logs named after the service, with credential fields redacted. */
export function createLogger (options: { name: string, level: string, destination?: NodeJS.WritableStream }): Logger {
  return pino({ name: options.name, level: options.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, options.destination as pino.DestinationStream | undefined)
}

export type { Logger }
