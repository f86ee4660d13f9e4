import { parseArgs } from 'node:util'
import { UsageError, type Output } from './output.ts'

export const USAGE = `Usage:
  kalla match <recipe.json> [--source alias=path-or-uri ...] [--out DIR] [options]
  kalla validate <recipe.json> [--source alias=path-or-uri ...]
  kalla suggest --source left=path-or-uri --source right=path-or-uri [--options alias=options.json ...]
                [--out recipe.json] [--sample-rows N] [--json]
  kalla recipes push <recipe.json> --server URL
  kalla recipes pull <recipe-id> --server URL [--out FILE]
  kalla keys create <name> --role viewer|operator|admin [--database-url URL]
  kalla keys list [--database-url URL]
  kalla keys revoke <key-id> [--database-url URL]
  kalla audit verify [--database-url URL] [--audit-schema SCHEMA]

Runs a reconciliation recipe on this machine and writes matched.parquet, unmatched_left.parquet,
unmatched_right.parquet and summary.json to the output directory (with --format csv or xlsx, also
matched.csv ... or matched.xlsx ... beside them).

validate binds the recipe's SQL against each source's columns without reading any rows: a file
source's schema, or the real columns of the data given with --source.

suggest reads the first rows of two sources (20,000 each unless --sample-rows says otherwise), finds
their primary keys, the columns that join them, the amount tolerance and date window their differences
support and whether records pair one to one, in parts (split) or in batches, runs each candidate on
those rows and prints them ranked with their evidence; --out writes the best as a recipe file. Exit 1
when no good recipe was found. --options alias=FILE (or alias='{"file": {"header_row": 5}}') reads a
source with reading options written as a recipe's "options"; a header line below a title block is
found without them, and the recipe carries whatever options the source was read with.

recipes push saves a recipe file on a Kalla server as it is; recipes pull writes a saved recipe in
the same format (to FILE, or to the screen). --server defaults to KALLA_URL; the API key is KALLA_KEY.

keys manages the gateway's API keys directly in its database (--database-url defaults to DATABASE_URL,
--schema to GATEWAY_DB_SCHEMA or auth). A created key is printed once; only its hash is kept. Creating
and revoking are recorded in the audit trail (--audit-schema, default GATEWAY_AUDIT_DB_SCHEMA or audit).

audit verify recomputes every hash of the gateway's audit trail and reports the first entry that was
modified, deleted or reordered: exit 0 when it holds, 1 when it is broken.
Relative paths are read from the directory you ran the command in.

Options for match:
  --source alias=VALUE   data for a source: a CSV, Parquet, JSON or Excel (.xlsx) file, a postgres:// URI,
                         or an Elasticsearch index (elasticsearch://, https:// or http://host:9200/index)
                         (file sources need one; database sources default to the recipe's uri)
  --out DIR              output directory (default ./results/<recipe_id>)
  --format FORMAT        parquet (default), csv or xlsx: csv and xlsx also write the results in that
                         format beside the Parquet files (xlsx: more sheets past Excel's 1,048,576 rows)
  --memory-limit SIZE    DuckDB memory limit, e.g. 4GB (default 2GB; more spills to disk)
  --threads N            threads to use (default: all cores)
  --work-dir DIR         where temporary and spill files go (default: the system temp dir)
  --timeout SECONDS      stop a run that takes longer (default 3600; 0 = no limit)
  --max-spill SIZE       temporary disk the run may use, e.g. 20GB (default 100GB, never more than half
                         the free disk of the work directory)
  --json                 print the completion as JSON instead of a table
  -h, --help             show this help

Exit codes: 0 success, 1 the run failed (the message says why), 2 wrong usage or invalid recipe.`

// Each command's code is loaded when that command runs: `kalla match` does not load the database,
// key-management and audit code (start-up is most of a small run's time).
/** Runs the CLI with the given arguments; resolves to the process exit code. */
export async function runCli (argv: string[], out: Output): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        source: { type: 'string', multiple: true },
        options: { type: 'string', multiple: true },
        out: { type: 'string' },
        'memory-limit': { type: 'string' },
        threads: { type: 'string' },
        'work-dir': { type: 'string' },
        timeout: { type: 'string' },
        'max-spill': { type: 'string' },
        format: { type: 'string' },
        json: { type: 'boolean' },
        server: { type: 'string' },
        role: { type: 'string' },
        'database-url': { type: 'string' },
        schema: { type: 'string' },
        'audit-schema': { type: 'string' },
        'sample-rows': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    })
    const [command, recipePath, ...extra] = positionals
    if (values.help === true || command === undefined) {
      out.stdout.write(USAGE + '\n')
      return values.help === true ? 0 : 2
    }
    if (command === 'recipes') {
      if (recipePath === undefined || extra.length !== 1) throw new UsageError('kalla recipes takes push <recipe.json> or pull <recipe-id>.')
      const { recipesCommand } = await import('./recipes-command.ts')
      return await recipesCommand(recipePath, extra[0]!, values, out)
    }
    if (command === 'suggest') {
      if (recipePath !== undefined) throw new UsageError('kalla suggest takes no recipe file: give the two sources with --source.')
      const { suggestCommand } = await import('./suggest-command.ts')
      return await suggestCommand(values, out)
    }
    if (command === 'keys') {
      if (recipePath === undefined || extra.length > 1) throw new UsageError('kalla keys takes create <name>, list or revoke <key-id>.')
      const { keysCommand } = await import('./keys-command.ts')
      return await keysCommand(recipePath, extra[0], values, out)
    }
    if (command === 'audit') {
      if (recipePath === undefined || extra.length > 0) throw new UsageError('kalla audit takes verify.')
      const { auditCommand } = await import('./audit-command.ts')
      return await auditCommand(recipePath, values, out)
    }
    if (recipePath === undefined || extra.length > 0) throw new UsageError(`kalla ${command} takes exactly one recipe file.`)
    if (command === 'match') return await (await import('./match-command.ts')).matchCommand(recipePath, values, out)
    if (command === 'validate') return await (await import('./validate-command.ts')).validateCommand(recipePath, values, out)
    throw new UsageError(`Unknown command "${command}".`)
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
      out.stderr.write(`kalla: ${(error as Error).message}\n\n${USAGE}\n`)
      return 2
    }
    throw error
  }
}
