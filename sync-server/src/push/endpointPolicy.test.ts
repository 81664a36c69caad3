import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { isPublicAddress, refuseEndpoint } from './endpointPolicy';
import { deliver } from './pushDelivery';

describe('push endpoint policy', () => {
  it('counts only public unicast addresses as public', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) expect(isPublicAddress(address), address).toBe(true);
    for (const address of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd12::1',
      '::ffff:10.0.0.1',
      'not an address',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('refuses plain http and private hosts unless private endpoints are allowed', async () => {
    expect(await refuseEndpoint('http://93.184.216.34/p', { allowPrivate: false })).toMatch(/https/);
    expect(await refuseEndpoint('https://localhost/p', { allowPrivate: false })).toMatch(/public address/);
    expect(await refuseEndpoint('https://93.184.216.34/p', { allowPrivate: false })).toBeNull();
    expect(await refuseEndpoint('http://127.0.0.1:9/p', { allowPrivate: true })).toBeNull();
    expect(await refuseEndpoint('ftp://127.0.0.1/p', { allowPrivate: true })).not.toBeNull();
  });

  describe('at send time', async () => {
    const received: string[] = [];
    const server = http.createServer((request, response) => {
      received.push(request.url ?? '');
      response.writeHead(201).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const push = (endpoint: string) => ({ endpoint, method: 'POST', headers: { TTL: 60 }, body: Buffer.from('x') });

    it('a name that resolves to a private address is refused when connecting (a subscription saved earlier, DNS changed since)', async () => {
      const result = await deliver(push(`https://localhost:${port}/rebound`), { allowPrivate: false }, 2_000);
      expect('error' in result && result.error.message).toMatch(/non-public address/);
      expect(await deliver(push(`http://127.0.0.1:${port}/plain`), { allowPrivate: false }, 2_000)).toHaveProperty('error');
      expect(received).toEqual([]);
    });

    it('with private endpoints allowed (tests), it posts and reports the status', async () => {
      expect(await deliver(push(`http://localhost:${port}/ok`), { allowPrivate: true }, 2_000)).toEqual({ status: 201 });
      expect(received).toEqual(['/ok']);
    });
  });
});
