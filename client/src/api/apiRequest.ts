import { HTTP_ERRORS, type HttpErrorKind } from '#schema/api/errors';
import { noteServerDate } from '../time/serverClock';

/** A failed API call, with a message fit to show a person. `kind` adds `offline` for a server that cannot be reached. */
export class ApiError extends Error {
  constructor(
    readonly kind: HttpErrorKind | 'offline',
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const OFFLINE_MESSAGE = 'Cannot reach the server. Check your connection and try again.';

function isKind(value: unknown): value is HttpErrorKind {
  return typeof value === 'string' && value in HTTP_ERRORS;
}

/** The {@link ApiError} of a failed answer, for callers that fetch themselves (downloads). */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => null);
  const error = (body as { error?: { kind?: unknown; message?: unknown } } | null)?.error;
  const kind = isKind(error?.kind) ? error.kind : response.status === 401 ? 'unauthorized' : 'internal';
  const message = typeof error?.message === 'string' && error.message ? error.message : HTTP_ERRORS[kind].message;
  return new ApiError(kind, message, response.status);
}

/** Calls the JSON API on this origin; the session cookie rides along. Resolves to the body, or `undefined` for 202/204. */
export async function apiRequest<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('offline', OFFLINE_MESSAGE, 0);
  }
  noteServerDate(response.headers.get('date'));
  if (!response.ok) throw await apiErrorOf(response);
  if (response.status === 202 || response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
