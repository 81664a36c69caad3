import { runReceiptStoreContract } from './db/receiptStoreContract';
import { openSqliteStore } from './sqliteStore';

runReceiptStoreContract('sqlite :memory:', () => openSqliteStore(':memory:'));
