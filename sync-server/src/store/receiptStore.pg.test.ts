import { describe } from 'vitest';
import { runReceiptStoreContract } from './db/receiptStoreContract';
import { useTestDatabase } from '../../../test/helpers/pgDatabase';
import { hasPostgres } from '../../../test/helpers/services';
import { openPgStore } from './pgStore';

describe.skipIf(!(await hasPostgres()))('postgres receipt store', () => {
  const dbUrl = useTestDatabase();
  // Each test uses rooms of its own, so the tables need no emptying between tests.
  runReceiptStoreContract('postgres', () => openPgStore(dbUrl));
});
