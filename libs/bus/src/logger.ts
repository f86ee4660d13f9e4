import type { BusLogger } from './types.ts'

/** Writes to stderr when the caller gives no logger, so a crashing handler is never silent. */
export const consoleLogger: BusLogger = {
  warn: (details, message) => console.warn(message, details),
  error: (details, message) => console.error(message, details)
}

/** Discards everything; for tests that provoke failures on purpose. */
export const silentLogger: BusLogger = {
  warn: () => {},
  error: () => {}
}
