// Writes the NATS server's users and permissions from proto's BUS_ACCESS: deploy/nats/nats-server.conf
// (compose) and deploy/k8s/nats-values.yaml (the nats/nats Helm chart).
//   node deploy/scripts/nats-config.ts           print the server configuration
//   node deploy/scripts/nats-config.ts --write   write both files
// deploy/test/nats-config.test.ts fails when a file differs from this output.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { NATS_CONFIG_FILE, NATS_HELM_VALUES_FILE, natsAuthorization, natsHelmValues } from '../lib/nats-config.ts'
import { ROOT } from '../lib/roles.ts'

if (process.argv.includes('--write')) {
  for (const [file, text] of [[NATS_CONFIG_FILE, natsAuthorization()], [NATS_HELM_VALUES_FILE, natsHelmValues()]] as const) {
    const path = join(ROOT, file)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, text)
    process.stdout.write(`${file} written\n`)
  }
} else {
  process.stdout.write(natsAuthorization())
}
