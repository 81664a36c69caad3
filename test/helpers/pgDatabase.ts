import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { withPgClient } from '../../scripts/pgClient';
import { TEST_PG_URL } from './services';

/**
 * A Postgres database of the calling test file's own, created before its tests and
 * dropped after them, so parallel files and runs never share rows. Call at the top of
 * a `describe`; returns the database's URL.
 */
export function useTestDatabase(): string {
  const name = `jeco_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  beforeAll(() => withPgClient(TEST_PG_URL, (c) => c.query(`create database ${name}`)));
  afterAll(() => withPgClient(TEST_PG_URL, (c) => c.query(`drop database if exists ${name} with (force)`)));
  return url.toString();
}
