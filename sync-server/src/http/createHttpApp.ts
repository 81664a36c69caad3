import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { fileRoutes } from '../files/fileRoutes';
import { sendError } from './apiError';
import type { HttpDeps } from './deps';
import { confirmPasswordResetRoute } from './routes/confirmPasswordReset';
import { getMeRoute } from './routes/getMe';
import { getUserRoute } from './routes/getUser';
import { healthRoutes } from './routes/health';
import { loginRoute } from './routes/login';
import { logoutRoute } from './routes/logout';
import { metricsRoute } from './routes/metrics';
import { registerUserRoute } from './routes/registerUser';
import { requestPasswordResetRoute } from './routes/requestPasswordReset';
import { searchUsersRoute } from './routes/searchUsers';

/** Largest JSON body the API reads; every body it takes is a few fields. */
const BODY_LIMIT_BYTES = 64 * 1024;

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The Fastify app: the JSON API under /api, health and metrics, and the built web app
 * with an SPA fallback. The caller owns listening and the `/sync` upgrade.
 */
export async function createHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: deps.config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization'] },
    trustProxy: deps.config.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
  });

  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });

  // CSRF: cookies are SameSite=Lax, and a state-changing request that says where it
  // comes from must come from this origin. JSON bodies need a preflight cross-site anyway.
  app.addHook('onRequest', async (request, reply) => {
    if (!UNSAFE_METHODS.has(request.method)) return;
    const origin = request.headers.origin;
    if (origin && new URL(origin).host !== request.headers.host) return sendError(reply, 'forbidden', 'Cross-site request refused.');
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 429) return sendError(reply, 'rate_limited');
    if (status === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 'payload_too_large');
    if (status >= 400 && status < 500) return sendError(reply, 'bad_request', error.message);
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 'internal');
  });

  registerUserRoute(app, deps);
  loginRoute(app, deps);
  logoutRoute(app, deps);
  getMeRoute(app, deps);
  requestPasswordResetRoute(app, deps);
  confirmPasswordResetRoute(app, deps);
  searchUsersRoute(app, deps);
  getUserRoute(app, deps);
  healthRoutes(app, deps);
  metricsRoute(app, deps);
  fileRoutes(app, deps);

  const indexHtml = path.join(deps.config.staticDir, 'index.html');
  const hasWebApp = existsSync(indexHtml);
  if (hasWebApp) {
    await app.register(fastifyStatic, { root: deps.config.staticDir, wildcard: true, index: ['index.html'] });
  } else {
    app.log.warn(`no web app at ${deps.config.staticDir}: run \`npm run build\` (the API and /sync work without it)`);
  }

  app.setNotFoundHandler((request, reply) => {
    // The web app owns every other GET path (client-side routes); the API answers JSON.
    if (hasWebApp && request.method === 'GET' && !request.url.startsWith('/api/') && !request.url.startsWith('/sync')) {
      return reply.type('text/html').sendFile('index.html');
    }
    return sendError(reply, 'not_found');
  });

  return app;
}
