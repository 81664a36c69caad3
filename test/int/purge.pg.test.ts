import { describe } from 'vitest';
import { useTestDatabase } from '../helpers/pgDatabase';
import { withPgClient } from '../../scripts/pgClient';
import { startServer } from '../helpers/server';
import { hasPostgres } from '../helpers/services';
import { purgeSuite } from './purgeSuite';

describe.skipIf(!(await hasPostgres()))('deleted means deleted (Postgres)', () => {
  const databaseUrl = useTestDatabase();
  purgeSuite(
    () => startServer({ databaseUrl }),
    // Straight from the tables, not through the store.
    (_server, docName) =>
      withPgClient(databaseUrl, async (client) => {
        const rows = await client.query<{ bytes: Buffer }>('select "update" as bytes from doc_updates where doc_name = $1', [docName]);
        const snapshots = await client.query<{ bytes: Buffer }>('select snapshot as bytes from doc_snapshots where doc_name = $1', [docName]);
        return [...rows.rows, ...snapshots.rows].map((r) => r.bytes);
      }),
  );
});
