import { describe } from 'vitest';
import { runPushStoreContract } from './db/pushStoreContract';
import { useTestDatabase } from '../../../test/helpers/pgDatabase';
import { hasPostgres } from '../../../test/helpers/services';
import { openPgStore } from './pgStore';

describe.skipIf(!(await hasPostgres()))('postgres push store', () => {
  const dbUrl = useTestDatabase();
  // Each test uses people and keys of its own, so the tables need no emptying between tests.
  runPushStoreContract('postgres', () => openPgStore(dbUrl));
});
