/**
 * The closed set of failures Jeco reports, in one table: HTTP error kinds (the body is
 * always `{error: {kind, message}}`) and the reasons/close codes of the sync socket.
 * The client shows `message`-like text from here, never a raw server string.
 */
export const HTTP_ERRORS = {
  bad_request: { status: 400, message: 'The request is not valid.' },
  unauthorized: { status: 401, message: 'Please sign in.' },
  bad_credentials: { status: 401, message: 'Wrong username or password.' },
  forbidden: { status: 403, message: 'You are not allowed to do that.' },
  not_found: { status: 404, message: 'Not found.' },
  username_taken: { status: 409, message: 'That username is taken.' },
  invalid_token: { status: 400, message: 'This link is invalid or has expired.' },
  no_preview: { status: 422, message: 'No preview for this link.' },
  invite_unknown: { status: 404, message: 'This invite link does not work. Ask a group admin for a new one.' },
  invite_revoked: { status: 410, message: 'This invite link was reset or turned off by a group admin. Ask them for a new one.' },
  payload_too_large: { status: 413, message: 'That is too large.' },
  rate_limited: { status: 429, message: 'Too many attempts. Please wait a moment and try again.' },
  file_too_large: { status: 413, message: 'That file is larger than the server accepts.' },
  quota_exceeded: { status: 413, message: 'You have used all your storage for files. Delete some and try again.' },
  upload_rate_limited: { status: 429, message: 'Too many uploads at once. Please wait a minute and try again.' },
  unreadable_file: { status: 422, message: 'That image could not be read.' },
  file_deleted: { status: 410, message: 'This file was deleted.' },
  unavailable: { status: 503, message: 'The server is not ready.' },
  internal: { status: 500, message: 'Something went wrong on the server.' },
} as const;

export type HttpErrorKind = keyof typeof HTTP_ERRORS;

export interface ApiErrorBody {
  error: { kind: HttpErrorKind; message: string };
}

/**
 * Why the sync server refused a document or closed its connection. `reason` is what
 * travels on the wire (the auth refusal's reason string, or the close reason); `code`
 * is the WebSocket close code used when a live connection is closed; `message` is
 * what the client shows a person; `retry` says whether reconnecting can help.
 */
export const SYNC_REFUSALS = {
  unauthorized: { code: 4401, message: 'Your session has ended. Please sign in again.', retry: false },
  forbidden: { code: 4403, message: 'You are not a member of this chat.', retry: false },
  unknown_doc: { code: 4404, message: 'This chat does not exist.', retry: false },
  removed: { code: 4410, message: 'You were removed from this chat.', retry: false },
  rejected_update: { code: 4422, message: 'The server refused a change from this device.', retry: false },
  too_large: { code: 4413, message: 'A change was too large to send.', retry: false },
  rate_limited: { code: 4429, message: 'Too many changes at once; slowing down.', retry: true },
  /** The user has as many chats open at once, over all their tabs and devices on one server, as it allows. */
  too_many_docs: { code: 4430, message: 'Too many chats open at once; this one will connect shortly.', retry: true },
  /** A change arrived before what it builds on (a reconnecting client wrote before its catch-up sync), or a group's bucket was asked for before the group is stored (`out_of_order:group-not-created`): sync again. */
  out_of_order: { code: 4409, message: 'Catching up with the server…', retry: true },
  /** The server could not reach or write its storage (a database restart, a network blip, a failed commit): nothing was applied or kept; try again. */
  unavailable: { code: 4503, message: 'The server is busy; reconnecting…', retry: true },
} as const;

export type SyncRefusal = keyof typeof SYNC_REFUSALS;

/** Maps a wire reason back to a refusal, for the client. */
export function parseSyncRefusal(reason: string | undefined): SyncRefusal | null {
  if (!reason) return null;
  const head = reason.split(':')[0] as SyncRefusal;
  return head in SYNC_REFUSALS ? head : null;
}

/** The error to throw from a Hocuspocus hook: it carries the close code and the wire reason. */
export function syncRefusal(kind: SyncRefusal, detail?: string): { code: number; reason: string } {
  return { code: SYNC_REFUSALS[kind].code, reason: detail ? `${kind}:${detail}` : kind };
}
