import { defineConfig } from 'drizzle-kit';

/** drizzle-kit settings for the SQLite migrations, which `openSqliteStore` applies on open. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './sync-server/src/store/db/sqlite.ts',
  out: './sync-server/src/store/db/migrations/sqlite',
});
