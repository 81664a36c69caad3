import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TurnWrites } from './turnWrites';

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A real TCP pair on loopback: what the server writes, and every chunk the peer reads. */
async function pair(): Promise<{ server: Socket; chunks: string[] }> {
  const server = createServer();
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  const [side] = await accepted;
  sockets.push(client, side);
  const chunks: string[] = [];
  client.on('data', (data: Buffer) => chunks.push(data.toString()));
  return { server: side, chunks };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('TurnWrites', () => {
  it('holds the frames of one turn and lets them go together, in order, when the turn ends', async () => {
    const writes = new TurnWrites();
    const { server, chunks } = await pair();
    for (const frame of ['one,', 'two,', 'three']) {
      writes.hold(server);
      server.write(frame);
    }
    // Still in the turn: nothing has reached the socket.
    expect(server.writableCorked).toBe(1);
    expect(server.writableLength).toBe('one,two,three'.length);
    await nextTurn();
    expect(server.writableCorked).toBe(0);
    await until(() => chunks.join('') === 'one,two,three');
    // One write: the peer reads the three frames as one chunk.
    expect(chunks).toEqual(['one,two,three']);
  });

  it('releases every socket held in the turn, and holds again in the next one', async () => {
    const writes = new TurnWrites();
    const a = await pair();
    const b = await pair();
    writes.hold(a.server);
    a.server.write('a1');
    writes.hold(b.server);
    b.server.write('b1');
    await nextTurn();
    expect([a.server.writableCorked, b.server.writableCorked]).toEqual([0, 0]);
    writes.hold(a.server);
    a.server.write('a2');
    expect(a.server.writableCorked).toBe(1);
    await nextTurn();
    await until(() => a.chunks.join('') === 'a1a2' && b.chunks.join('') === 'b1');
    expect(a.chunks.join('')).toBe('a1a2');
    expect(b.chunks.join('')).toBe('b1');
  });

  it('lets go of a socket closed or destroyed while held without throwing, and the others still leave', async () => {
    const writes = new TurnWrites();
    const gone = await pair();
    const ended = await pair();
    const kept = await pair();
    for (const { server } of [gone, ended, kept]) {
      writes.hold(server);
      server.write('x');
    }
    gone.server.destroy();
    // A close sends what was held first (as ws does on a clean close).
    ended.server.end();
    await nextTurn();
    await until(() => kept.chunks.join('') === 'x' && ended.chunks.join('') === 'x');
    expect(kept.chunks.join('')).toBe('x');
    expect(ended.chunks.join('')).toBe('x');
  });
});
