export { openDatabase, type Database, type DatabaseConfig } from './database.ts'
export { migrateSchema, MigrationError } from './migrate.ts'
