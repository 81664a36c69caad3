import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskBlobStore } from './diskBlobStore';
import { processUpload } from './processUpload';

/** An EBML element: id, a one-byte size (data under 127 bytes), data. */
function element(id: number[], data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(id), Buffer.from([0x80 | data.length]), data]);
}

/** The start of a WebM file whose one track has codec `codec` (`A_OPUS`, `V_VP8`), as a browser records it. */
function webm(codec: string): Buffer {
  const header = element([0x1a, 0x45, 0xdf, 0xa3], element([0x42, 0x82], Buffer.from('webm')));
  const track = element([0xae], element([0x86], Buffer.from(codec)));
  // A segment of unknown size (as MediaRecorder writes it) holding the track list, then some frames.
  return Buffer.concat([header, Buffer.from([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), element([0x16, 0x54, 0xae, 0x6b], track), Buffer.alloc(2000, 1)]);
}

describe('processUpload', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jeco-process-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function typeOf(bytes: Buffer): Promise<string> {
    const file = path.join(dir, 'upload');
    await writeFile(file, bytes);
    return (await processUpload(file, new DiskBlobStore(path.join(dir, 'blobs')), dir)).mime;
  }

  it('calls a WebM with only an audio track (a recorded voice note) audio/webm, and one with a video track video/webm', async () => {
    expect(await typeOf(webm('A_OPUS'))).toBe('audio/webm');
    expect(await typeOf(webm('V_VP8'))).toBe('video/webm');
    expect(await typeOf(Buffer.concat([webm('V_VP9'), Buffer.from('A_OPUS')]))).toBe('video/webm');
  });
});
