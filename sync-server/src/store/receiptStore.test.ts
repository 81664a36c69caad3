import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { runReceiptStoreContract } from './db/receiptStoreContract';
import { openSqliteStore } from './sqliteStore';

const dir = await mkdtemp(path.join(os.tmpdir(), 'jeco-sqlite-receipts-'));
let files = 0;
afterAll(() => rm(dir, { recursive: true, force: true }));

runReceiptStoreContract('sqlite :memory:', () => openSqliteStore(':memory:'));
// A file store flushes receipts on the main connection between the writer thread's commits.
runReceiptStoreContract('sqlite file', () => openSqliteStore(path.join(dir, `receipts-${files++}.sqlite`)));
