import { defineConfig } from 'drizzle-kit';

/** drizzle-kit settings for the SQLite migrations, which `openSqliteStore` applies on open. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './schema/db/sqlite.ts',
  out: './schema/db/migrations/sqlite',
});
