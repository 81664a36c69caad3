import { runPushStoreContract } from '../../../schema/db/pushStoreContract';
import { openSqliteStore } from './sqliteStore';

runPushStoreContract('sqlite :memory:', () => openSqliteStore(':memory:'));
