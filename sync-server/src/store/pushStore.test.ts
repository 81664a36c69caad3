import { runPushStoreContract } from './db/pushStoreContract';
import { openSqliteStore } from './sqliteStore';

runPushStoreContract('sqlite :memory:', () => openSqliteStore(':memory:'));
