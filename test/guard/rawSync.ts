import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';

/** Hocuspocus message types (`MessageType` of @hocuspocus/server). */
const SYNC = 0;
const AWARENESS = 1;
const AUTH = 2;
const QUERY_AWARENESS = 3;
const CLOSE = 7;
/** Auth sub-messages (`AuthMessageType` of @hocuspocus/common). */
const TOKEN = 0;
const PERMISSION_DENIED = 1;
const AUTHENTICATED = 2;

function frame(docName: string, type: number, write: (encoder: encoding.Encoder) => void = () => {}): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, docName);
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** A sync-update frame for `docName` carrying `update`, framed as a provider frames updates. */
export function updateFrame(docName: string, update: Uint8Array): Uint8Array {
  return frame(docName, SYNC, (e) => {
    encoding.writeVarUint(e, 2); // y-protocols sync message: update
    encoding.writeVarUint8Array(e, update);
  });
}

/** Opens a bare socket to /sync and sends `data`; resolves with the close code once the server closes it. */
export async function sendAndAwaitClose(wsUrl: string, data: Uint8Array): Promise<number> {
  const socket = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  socket.send(data);
  return closed;
}

/**
 * A bare /sync socket that speaks the Hocuspocus protocol frame by frame, as an
 * attacker's script would: it authenticates docs and sends whatever frames it likes,
 * without a provider's manners.
 */
export class RawSyncSocket {
  /** Answers to AUTH per doc: 'authenticated' or the refusal reason. */
  private readonly authAnswers = new Map<string, (answer: string) => void>();
  /** Close reasons the server sent, per doc. */
  readonly closes = new Map<string, string>();
  private closed = false;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => this.received(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }

  static async open(wsUrl: string): Promise<RawSyncSocket> {
    const socket = new WebSocket(wsUrl);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new RawSyncSocket(socket);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  private received(data: Uint8Array): void {
    const decoder = decoding.createDecoder(data);
    const key = decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    if (type === AUTH) {
      const sub = decoding.readVarUint(decoder);
      const answer = sub === AUTHENTICATED ? 'authenticated' : sub === PERMISSION_DENIED ? decoding.readVarString(decoder) : `auth ${sub}`;
      this.authAnswers.get(key)?.(answer);
      this.authAnswers.delete(key);
    }
    if (type === CLOSE) this.closes.set(key, decoding.readVarString(decoder));
  }

  /** Sends AUTH for `docName`; resolves with 'authenticated' or the refusal reason. */
  auth(docName: string, token: string): Promise<string> {
    const answer = new Promise<string>((resolve) => this.authAnswers.set(docName, resolve));
    this.send(
      frame(docName, AUTH, (e) => {
        encoding.writeVarUint(e, TOKEN);
        encoding.writeVarString(e, token);
      }),
    );
    return answer;
  }

  /** An awareness update (y-protocols encoding) for `docName`. */
  awareness(docName: string, update: Uint8Array): void {
    this.send(frame(docName, AWARENESS, (e) => encoding.writeVarUint8Array(e, update)));
  }

  /** A sync step 1 with an empty state vector: the cheapest message that makes the server work. */
  syncStep1(docName: string): void {
    this.send(
      frame(docName, SYNC, (e) => {
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint8Array(e, new Uint8Array([0]));
      }),
    );
  }

  /** A Yjs update (y-protocols sync message 2) for `docName`, whatever it holds. */
  update(docName: string, update: Uint8Array): void {
    this.send(updateFrame(docName, update));
  }

  queryAwareness(docName: string): void {
    this.send(frame(docName, QUERY_AWARENESS));
  }

  send(data: Uint8Array): void {
    this.socket.send(data);
  }

  close(): void {
    this.socket.close();
  }
}
