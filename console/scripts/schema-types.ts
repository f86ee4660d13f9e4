import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { minifyIntrospection, outputIntrospectionFile } from '@gql.tada/internal'
import { mergeTypeDefs } from '@graphql-tools/merge'
import { buildASTSchema, introspectionFromSchema, printSchema } from 'graphql'
import { CONSOLE_DIR } from './assets.ts'

const SDL_DIR = fileURLToPath(new URL('../graphql/', import.meta.resolve('@kalla/proto')))

/** The merged public schema as SDL and as gql.tada's typed introspection, from proto/graphql/*.graphql. */
export function schemaFiles (): Record<string, string> {
  const sdl = readdirSync(SDL_DIR).filter((f) => f.endsWith('.graphql')).sort().map((f) => readFileSync(join(SDL_DIR, f), 'utf8'))
  const schema = buildASTSchema(mergeTypeDefs(sdl, { sort: true }))
  const introspection = minifyIntrospection(introspectionFromSchema(schema, { descriptions: false }))
  return {
    'schema.graphql': `# Generated from proto/graphql by \`npm run schema-types -w console\`; do not edit.\n${printSchema(schema)}\n`,
    'src/graphql-env.d.ts': outputIntrospectionFile(introspection, { fileType: '.d.ts', shouldPreprocess: true })
  }
}

/** The generated files that differ from what proto/graphql gives now. */
export function staleSchemaFiles (): string[] {
  return Object.entries(schemaFiles()).filter(([file, text]) => {
    try { return readFileSync(join(CONSOLE_DIR, file), 'utf8') !== text } catch { return true }
  }).map(([file]) => file)
}

if (import.meta.main) {
  if (process.argv.includes('--write')) {
    for (const [file, text] of Object.entries(schemaFiles())) writeFileSync(join(CONSOLE_DIR, file), text)
  } else {
    const stale = staleSchemaFiles()
    if (stale.length > 0) {
      console.error(`stale: ${stale.join(', ')}; run npm run schema-types -w console`)
      process.exit(1)
    }
  }
}
