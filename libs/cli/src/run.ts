// The kalla command line: runs reconciliations locally, without any service.
import { runCli } from './cli.ts'

// `npm run kalla` runs in the repository root; INIT_CWD is the directory the user typed the command in.
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.env.INIT_CWD ?? process.cwd(), serverUrl: process.env.KALLA_URL, apiKey: process.env.KALLA_KEY, databaseUrl: process.env.DATABASE_URL, keysSchema: process.env.GATEWAY_DB_SCHEMA, auditSchema: process.env.GATEWAY_AUDIT_DB_SCHEMA })
