export {
  type Database,
  type DatabaseOptions,
  type DialectName,
  openDatabase,
  parseDatabaseUrl,
} from './database.js';
export { type Migration, type MigrationStatus, migrationStatus, runMigrations } from './migrator.js';
export type { DatabaseSchema } from './schema.js';
