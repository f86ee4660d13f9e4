/** Where the CLI writes; a test passes collecting streams instead of the process's. */
export interface Output {
  stdout: NodeJS.WritableStream & { isTTY?: boolean, columns?: number }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  /** The directory the user ran the command in; relative paths are resolved from it (default: the process's). */
  cwd?: string
  /** The Kalla server `kalla recipes` talks to when --server is not given (KALLA_URL). */
  serverUrl?: string
  /** The API key sent to that server (KALLA_KEY). */
  apiKey?: string
  /** The Postgres `kalla keys` and `kalla audit` work in when --database-url is not given (DATABASE_URL), its keys' schema (GATEWAY_DB_SCHEMA) and audit trail's (GATEWAY_AUDIT_DB_SCHEMA). */
  databaseUrl?: string
  keysSchema?: string
  auditSchema?: string
}

/** Wrong arguments: reported with the usage text and exit code 2. */
export class UsageError extends Error {}
