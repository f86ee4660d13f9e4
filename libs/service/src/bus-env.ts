import { readFileSync } from 'node:fs'
import Type, { type Static } from 'typebox'
import type { NatsBusOptions } from '@kalla/bus'

/** How a process reaches NATS: servers, its own user, and TLS. Spread into a config schema. */
export const BusEnv = {
  NATS_URL: Type.Optional(Type.String({ minLength: 1, description: 'NATS server(s) with JetStream, comma separated (required when the service runs on its own)' })),
  NATS_USER: Type.Optional(Type.String({ minLength: 1, description: 'This process\' NATS user; proto\'s BUS_ACCESS lists what each user may publish and subscribe to' })),
  NATS_PASSWORD: Type.Optional(Type.String({ minLength: 1, description: 'Password of NATS_USER (or NATS_PASSWORD_FILE)' })),
  NATS_PASSWORD_FILE: Type.Optional(Type.String({ minLength: 1, description: 'A file holding the password of NATS_USER, e.g. a mounted secret' })),
  NATS_TLS_CA_FILE: Type.Optional(Type.String({ minLength: 1, description: 'CA certificate that signs the NATS server\'s certificate; setting it requires TLS' })),
  NATS_TLS_CERT_FILE: Type.Optional(Type.String({ minLength: 1, description: 'Client certificate, when the NATS server verifies clients' })),
  NATS_TLS_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'Key of NATS_TLS_CERT_FILE' }))
}

export type BusEnv = Static<ReturnType<typeof Type.Object<typeof BusEnv>>>

/**
 * nats.js connection settings from the bus variables, with replies under `inboxPrefix` (a prefix no
 * other user may subscribe to), reconnecting for as long as the server is away. A password file is read here, so the password never sits in the env.
 * @example createNatsBus({ servers: config.NATS_URL.split(','), name: 'runs', ...natsConnection(config, '_INBOX_runs') })
 */
export function natsConnection (config: BusEnv, inboxPrefix: string): Pick<NatsBusOptions, 'connectOptions'> {
  const password = config.NATS_PASSWORD ?? (config.NATS_PASSWORD_FILE === undefined ? undefined : readFileSync(config.NATS_PASSWORD_FILE, 'utf8').trim())
  const tls = config.NATS_TLS_CA_FILE === undefined && config.NATS_TLS_CERT_FILE === undefined
    ? undefined
    : {
        ...(config.NATS_TLS_CA_FILE === undefined ? {} : { caFile: config.NATS_TLS_CA_FILE }),
        ...(config.NATS_TLS_CERT_FILE === undefined ? {} : { certFile: config.NATS_TLS_CERT_FILE }),
        ...(config.NATS_TLS_KEY_FILE === undefined ? {} : { keyFile: config.NATS_TLS_KEY_FILE })
      }
  return {
    connectOptions: {
      // nats.js gives up after 10 attempts (about 20 s) and closes the connection for good; a service
      // outlives any NATS outage instead, refusing calls with BUS_UNAVAILABLE until the server is back.
      maxReconnectAttempts: -1,
      inboxPrefix,
      ...(config.NATS_USER === undefined ? {} : { user: config.NATS_USER }),
      ...(password === undefined ? {} : { pass: password }),
      ...(tls === undefined ? {} : { tls })
    }
  }
}
