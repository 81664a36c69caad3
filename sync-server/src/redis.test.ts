import { describe, expect, it } from 'vitest';
import { createRedisClient } from './redis';

describe('createRedisClient', () => {
  it('takes JECO_REDIS_URL whole: user, password, database number and TLS', () => {
    const client = createRedisClient('rediss://jeco:s3cret@redis.example:6380/4');
    try {
      expect(client.options).toMatchObject({ host: 'redis.example', port: 6380, username: 'jeco', password: 's3cret', db: 4 });
      expect(client.options.tls).toBeTruthy();
    } finally {
      client.disconnect();
    }
  });

  it('lets commands wait for a lost connection instead of failing them after a number of retries', () => {
    const client = createRedisClient('redis://127.0.0.1:6379');
    try {
      expect(client.options.maxRetriesPerRequest).toBeNull();
      expect(client.options.tls).toBeUndefined();
    } finally {
      client.disconnect();
    }
  });
});
