import { runReceiptStoreContract } from '../../../schema/db/receiptStoreContract';
import { openSqliteStore } from './sqliteStore';

runReceiptStoreContract('sqlite :memory:', () => openSqliteStore(':memory:'));
