import { defineConfig } from 'drizzle-kit';

/** drizzle-kit settings for the Postgres migrations, which `openPgStore` applies on open. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './schema/db/pg.ts',
  out: './schema/db/migrations/pg',
});
