import type { Registry } from 'prom-client';
import type { Store, UserRow } from '../../../schema/db/store';
import type { PublicUser } from '../../../schema/api/auth';
import type { Config } from '../config';
import type { DependencyHealth } from '../dependencyHealth';
import type { Sessions, ValidSession } from '../auth/sessions';
import type { Mailer } from '../mail/mailer';

/** What every route gets: the process's config and services. */
export interface HttpDeps {
  config: Config;
  store: Store;
  sessions: Sessions;
  mailer: Mailer;
  metrics: Registry;
  /** Whether the store and Redis are reachable: `/readyz`. */
  health: DependencyHealth;
  /** The address people open (mailed links point here). */
  publicUrl(): string;
  /** Whether cookies must be `Secure`. */
  secureCookies(): boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the `requireUser` pre-handler. */
    auth?: ValidSession;
  }
}

/** A user as other signed-in users may see it: no email, no hash. */
export function toPublicUser(user: UserRow): PublicUser {
  return { id: user.id, username: user.username, displayName: user.displayName, lastSeenAt: user.lastSeenAt };
}
