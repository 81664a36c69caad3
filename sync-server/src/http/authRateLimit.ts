import type { HttpDeps } from './deps';

/**
 * Per-route rate limit for sign-in, sign-up and password reset: guessing passwords
 * and mail-bombing both need many requests from one address.
 */
export function authRateLimit(deps: HttpDeps) {
  return { max: deps.config.authRatePerMin, timeWindow: 60_000 };
}
