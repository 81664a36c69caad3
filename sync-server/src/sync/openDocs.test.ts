import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { OpenDocs } from './openDocs';

/** A Hocuspocus frame: the doc's name, the message type, then (for auth) the sub-type. */
function frame(doc: string, type: number, subType?: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, doc);
  encoding.writeVarUint(encoder, type);
  if (subType !== undefined) encoding.writeVarUint(encoder, subType);
  return encoding.toUint8Array(encoder);
}

const AUTH = 2;
const CLOSE = 7;
const SYNC = 0;
const auth = (doc: string) => frame(doc, AUTH, 0);
const close = (doc: string) => frame(doc, CLOSE);
const denied = (doc: string) => frame(doc, AUTH, 1);
const authenticated = (doc: string) => frame(doc, AUTH, 2);

describe('OpenDocs: a client CLOSE reaches Hocuspocus only for a doc open on the socket', () => {
  it('passes the CLOSE of an open doc once, and drops one for a doc never opened', () => {
    const docs = new OpenDocs();
    expect(docs.received(close('a'))).toBe(false);
    expect(docs.received(auth('a'))).toBe(true);
    docs.sent(authenticated('a'));
    expect(docs.received(close('a'))).toBe(true);
    expect(docs.received(close('a'))).toBe(false);
  });

  it('drops the CLOSE a provider sends while re-attaching after the server closed the doc, and lets the new connection live', () => {
    const docs = new OpenDocs();
    docs.received(auth('a'));
    docs.sent(close('a'));
    expect(docs.received(close('a'))).toBe(false);
    expect(docs.received(auth('a'))).toBe(true);
    expect(docs.received(frame('a', SYNC))).toBe(true);
    expect(docs.received(close('a'))).toBe(true);
  });

  it('treats a refused doc as closed', () => {
    const docs = new OpenDocs();
    docs.received(auth('a'));
    docs.sent(denied('a'));
    expect(docs.received(close('a'))).toBe(false);
  });

  it('keeps docs apart and passes every other message untouched', () => {
    const docs = new OpenDocs();
    docs.received(auth('a'));
    docs.received(auth('b'));
    docs.sent(close('a'));
    expect(docs.received(close('b'))).toBe(true);
    expect(docs.received(frame('c', SYNC))).toBe(true);
    expect(docs.received(new Uint8Array([0xff]))).toBe(true);
  });

  it('reads the type past a long or non-ASCII name, and passes a frame cut inside its name untouched', () => {
    const docs = new OpenDocs();
    const long = `bucket:${'é'.repeat(100)}:0`;
    expect(docs.received(close(long))).toBe(false);
    expect(docs.received(auth(long))).toBe(true);
    expect(docs.received(frame(long, SYNC))).toBe(true);
    expect(docs.received(close(long))).toBe(true);
    expect(docs.received(close(long).subarray(0, 10))).toBe(true);
  });
});
