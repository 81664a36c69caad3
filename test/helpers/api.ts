import type { AuthResponse, PublicUser } from '#schema/api/auth';
import type { UserId } from '#schema/ids';

export interface TestUser {
  id: UserId;
  username: string;
  token: string;
  user: PublicUser;
}

/** Calls the JSON API; returns status, parsed body and headers. */
export async function api(
  baseUrl: string,
  method: string,
  pathname: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  // biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of the answer it expects
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${baseUrl}${pathname}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

let counter = 0;

/** Signs up a new user with a unique username built from `name`. */
export async function registerUser(baseUrl: string, name: string, extra: { email?: string; displayName?: string } = {}): Promise<TestUser> {
  const username = `${name.toLowerCase()}${++counter}${Math.random().toString(36).slice(2, 6)}`;
  const res = await api(baseUrl, 'POST', '/api/auth/register', {
    body: { username, password: 'correct horse battery', displayName: extra.displayName ?? name, ...(extra.email ? { email: extra.email } : {}) },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  const { user, token } = res.body as AuthResponse;
  return { id: user.id as UserId, username, token, user };
}
