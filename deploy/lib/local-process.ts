import { commandOf, environmentOf, type ComposeService } from './compose.ts'

/** The infrastructure a local run of the scaled topology uses instead of the compose network's. */
export interface LocalInfrastructure {
  natsUrl: string
  databaseUrl: string
  s3: { endpoint: string, bucket: string, accessKeyId: string, secretAccessKey: string }
  encryptionKey: string
  /** KALLA_RESOLVE_KEY, shared by sources, recipes and matcher. */
  resolveKey: string
  /** The gateway's KALLA_ADMIN_KEY. */
  adminKey: string
  /** Stands in for the containers' /var/lib/kalla. */
  dataDir: string
  /** Each NATS user's password (the NATS server's KALLA_NATS_<USER>_PASSWORD). */
  natsPasswords: Record<string, string>
}

/** The directory the image gives Kalla for data and work files. */
export const CONTAINER_DATA_DIR = '/var/lib/kalla'

/** The variables that name a host, port or credential of the compose network, with their local values. */
export function localSubstitutes (infra: LocalInfrastructure, port?: number): Record<string, string> {
  return {
    NATS_URL: infra.natsUrl,
    DATABASE_URL: infra.databaseUrl,
    S3_ENDPOINT: infra.s3.endpoint,
    S3_BUCKET: infra.s3.bucket,
    S3_ACCESS_KEY_ID: infra.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: infra.s3.secretAccessKey,
    KALLA_ENCRYPTION_KEY: infra.encryptionKey,
    KALLA_RESOLVE_KEY: infra.resolveKey,
    KALLA_ADMIN_KEY: infra.adminKey,
    HOST: '127.0.0.1',
    ...(port === undefined ? {} : { PORT: String(port) })
  }
}

/**
 * The process compose would start for a service, made local: the same command (run by this Node) and the
 * same variables, except that hosts, ports and credentials are this machine's and container paths live
 * under `dataDir`. Only variables the compose file sets are passed, so a variable missing there is missing here.
 */
export function localProcess (name: string, service: ComposeService, infra: LocalInfrastructure, port?: number): { args: string[], env: Record<string, string>, dirs: string[] } {
  const [program, ...args] = commandOf(service)
  if (program !== 'node' || args.length === 0) throw new Error(`${name}: the command must be node <file>, not ${JSON.stringify(service.command)}`)
  const substitutes = localSubstitutes(infra, port)
  const env: Record<string, string> = {}
  const dirs: string[] = []
  const variables = environmentOf(service)
  const natsUser = variables.NATS_USER
  if (natsUser !== undefined) {
    const password = infra.natsPasswords[natsUser]
    if (password === undefined) throw new Error(`${name}: no NATS password for user ${natsUser}`)
    substitutes.NATS_PASSWORD = password
  }
  for (const [key, value] of Object.entries(variables)) {
    const local = substitutes[key] ?? rebase(value, infra.dataDir)
    if (local !== value && substitutes[key] === undefined) dirs.push(local)
    env[key] = local
  }
  return { args, env, dirs }
}

function rebase (value: string, dataDir: string): string {
  return value === CONTAINER_DATA_DIR || value.startsWith(`${CONTAINER_DATA_DIR}/`) ? dataDir + value.slice(CONTAINER_DATA_DIR.length) : value
}
