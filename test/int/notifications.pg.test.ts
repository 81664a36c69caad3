import { describe } from 'vitest';
import { useTestDatabase } from '../helpers/pgDatabase';
import { startServer } from '../helpers/server';
import { hasPostgres } from '../helpers/services';
import { reactionNotificationSuite } from './reactionNotificationSuite';

describe.skipIf(!(await hasPostgres()))('reactions in the notification list (Postgres)', () => {
  const databaseUrl = useTestDatabase();
  reactionNotificationSuite(() => startServer({ databaseUrl }));
});
