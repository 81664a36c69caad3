import { defineConfig } from 'drizzle-kit';

/** drizzle-kit settings for the Postgres migrations, which `openPgStore` applies on open. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './sync-server/src/store/db/pg.ts',
  out: './sync-server/src/store/db/migrations/pg',
});
