import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { SERVER_NODE_FLAGS } from './nodeFlags';

const read = (file: string) => readFile(new URL(`../../${file}`, import.meta.url), 'utf8');

describe("the server's Node flags", () => {
  test('npm start passes every one to the server', async () => {
    const { scripts } = JSON.parse(await read('package.json')) as { scripts: { start: string } };
    expect(scripts.start).toContain(`tsx ${SERVER_NODE_FLAGS.join(' ')} sync-server/src/main.ts`);
  });

  test("the Dockerfile's command passes every one to the server", async () => {
    const command = (await read('Dockerfile')).split('\n').find((line) => line.startsWith('CMD '));
    expect(JSON.parse(command!.slice('CMD '.length))).toEqual(['node', ...SERVER_NODE_FLAGS, '--import', 'tsx', 'sync-server/src/main.ts']);
  });
});
