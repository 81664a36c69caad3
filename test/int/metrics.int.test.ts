import { describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { bucketDoc } from '#schema/docs/names';
import { registerUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { message, startDm } from '../helpers/dm';
import { startServer } from '../helpers/server';

const MESSAGES = 12;

/** One sample of `/metrics` text: `name{labels} value`; 0 when absent. */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('/metrics', () => {
  it('counts what an operator watches: acknowledged updates and their latency, store calls, refusals by reason, users online, dependencies', async () => {
    const server = await startServer();
    const { alice, room, a, aBucket } = await startDm(server);
    for (let i = 0; i < MESSAGES; i++) appendMessage(aBucket.doc, message(alice.id, `m${i}`));
    await a.settled();
    // Someone not in the DM is refused.
    const mallory = await registerUser(server.url, 'Mallory');
    const refused = connectClient(server.wsUrl, mallory.token).open(bucketDoc(room, 0)).refused;
    await expect(refused).resolves.toBe('forbidden');

    const text = await (await fetch(`${server.url}/metrics`)).text();
    // Each message is its own update (the provider may add handshakes that carry nothing new).
    expect(sample(text, 'jeco_updates_acked_total')).toBeGreaterThanOrEqual(MESSAGES);
    expect(sample(text, 'jeco_update_ack_seconds_count')).toBe(sample(text, 'jeco_updates_acked_total'));
    expect(sample(text, 'jeco_store_seconds_count', 'op="appendUpdate"')).toBeGreaterThanOrEqual(MESSAGES);
    expect(sample(text, 'jeco_sync_refusals_total', 'reason="forbidden"')).toBe(1);
    // Alice and Bob are connected; Mallory's only doc was refused.
    expect(sample(text, 'jeco_users_online')).toBe(2);
    expect(sample(text, 'jeco_dependency_up', 'dependency="sqlite"')).toBe(1);
    expect(sample(text, 'jeco_ready')).toBe(1);
    // Appends share commits, and the chat-index projection has caught up once the server is idle.
    expect(sample(text, 'jeco_store_transactions_total')).toBeGreaterThan(0);
    expect(sample(text, 'jeco_store_transactions_total')).toBeLessThanOrEqual(sample(text, 'jeco_store_seconds_count', 'op="appendUpdate"') * 3);
    await server.projections.idle();
    const after = await (await fetch(`${server.url}/metrics`)).text();
    expect(sample(after, 'jeco_projection_backlog_rooms')).toBe(0);
    expect(sample(after, 'jeco_projection_lag_seconds')).toBe(0);
    await server.close();
  });

  // The series reads `/proc`, Linux's: elsewhere it is left out of the scrape.
  it.runIf(process.platform === 'linux')("gives the CPU time of the store's own threads, the writer's growing with the appends it commits", async () => {
    const server = await startServer();
    const { alice, a, aBucket } = await startDm(server);
    const writerSeconds = async () => sample(await (await fetch(`${server.url}/metrics`)).text(), 'jeco_store_thread_cpu_seconds_total', 'thread="sqlite writer"');
    const before = await writerSeconds();
    // One message, then its acknowledgement, a hundred times: a commit each, every one an fsync on the writer thread.
    for (let i = 0; i < 100; i++) {
      appendMessage(aBucket.doc, message(alice.id, `m${i}`));
      await a.settled();
    }
    expect(await writerSeconds()).toBeGreaterThan(before);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/^jeco_store_thread_cpu_seconds_total\{thread="sqlite upkeep"\} \d/m);
    await server.close();
  });
});
