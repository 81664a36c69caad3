import { describe } from 'vitest';
import { startServer } from '../helpers/server';
import { sqliteStoredRows } from '../helpers/storedBytes';
import { purgeSuite } from './purgeSuite';

describe('deleted means deleted (SQLite)', () => {
  purgeSuite(
    () => startServer(),
    async (server, docName) => sqliteStoredRows(server, docName),
  );
});
