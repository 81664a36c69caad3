import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { BadRequest, sendError } from './apiError';
import { capConnectionsPerAddress } from './connectionCap';
import { fileRoutes } from '../files/fileRoutes';
import type { HttpDeps } from './deps';
import { loggerOptions } from '../logging';
import { isStoreUnavailable } from '../store/storeUnavailable';
import { isCrossSite } from './sameOrigin';
import { blockUserRoute } from './routes/blockUser';
import { changePasswordRoute } from './routes/changePassword';
import { deletePushSubscriptionRoute } from './routes/deletePushSubscription';
import { getPushKeyRoute } from './routes/getPushKey';
import { savePushSubscriptionRoute } from './routes/savePushSubscription';
import { listBlockedRoute } from './routes/listBlocked';
import { listDevicesRoute } from './routes/listDevices';
import { revokeDeviceRoute } from './routes/revokeDevice';
import { revokeOtherDevicesRoute } from './routes/revokeOtherDevices';
import { unblockUserRoute } from './routes/unblockUser';
import { exportMyDataRoute } from './routes/exportMyData';
import { changeEmailRoute } from './routes/changeEmail';
import { deleteAccountRoute } from './routes/deleteAccount';
import { updateProfileRoute } from './routes/updateProfile';
import { getPrivacyRoute } from './routes/getPrivacy';
import { updatePrivacyRoute } from './routes/updatePrivacy';
import { confirmPasswordResetRoute } from './routes/confirmPasswordReset';
import { getMeRoute } from './routes/getMe';
import { getRoomReceiptsRoute } from './routes/getRoomReceipts';
import { getUserRoute } from './routes/getUser';
import { healthRoutes } from './routes/health';
import { loginRoute } from './routes/login';
import { logoutRoute } from './routes/logout';
import { metricsRoute } from './routes/metrics';
import { registerUserRoute } from './routes/registerUser';
import { requestPasswordResetRoute } from './routes/requestPasswordReset';
import { searchUsersRoute } from './routes/searchUsers';
import { createGroupInviteRoute } from './routes/createGroupInvite';
import { getGroupInviteRoute } from './routes/getGroupInvite';
import { revokeGroupInviteRoute } from './routes/revokeGroupInvite';
import { getInviteRoute } from './routes/getInvite';
import { joinInviteRoute } from './routes/joinInvite';
import { fetchLinkPreviewRoute } from './routes/fetchLinkPreview';
import { endSignedOutSession } from './sessionCookie';

/** Largest JSON body the API reads; every body it takes is a few fields. */
const BODY_LIMIT_BYTES = 64 * 1024;

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * How often Node looks for requests past their headers or request timeout: a quarter of
 * the shorter one, so a stalled request is cut at most 25% late (Node's default is 30 s).
 */
function timeoutCheckMs(deps: HttpDeps): number {
  return Math.max(100, Math.min(5000, Math.floor(deps.config.httpHeadersTimeoutMs / 4)));
}

/**
 * The Fastify app: the JSON API under /api, health and metrics, and the built web app
 * with an SPA fallback. The caller owns listening and the `/sync` upgrade.
 */
export async function createHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...loggerOptions(deps.config),
    trustProxy: deps.config.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    // Slowloris: a client may not hold a request (or an idle keep-alive) open for long.
    requestTimeout: deps.config.httpRequestTimeoutMs,
    keepAliveTimeout: deps.config.httpKeepAliveTimeoutMs,
    http: {
      requestTimeout: deps.config.httpRequestTimeoutMs,
      headersTimeout: deps.config.httpHeadersTimeoutMs,
      connectionsCheckingInterval: timeoutCheckMs(deps),
    },
    // A path Fastify's router cannot decode (`/api/users/%E0%A4%A`) gets the one error shape too.
    frameworkErrors: (error, _request, reply) => sendError(reply, 'bad_request', error.message),
  });
  capConnectionsPerAddress(app.server, { max: deps.config.maxConnectionsPerAddress, exempt: deps.config.connectionCapExempt }, app.log);

  // An empty body with `content-type: application/json` (API clients send one with a
  // bodyless POST such as sign-out) is no body; routes that need one refuse it with their
  // schema. Bad JSON is the client's error, in the API's one error shape.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).trim() === '') return done(null, undefined);
    parseJson(request, body as string, (error, value) => (error ? done(new BadRequest('The body is not valid JSON.'), undefined) : done(null, value)));
  });

  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });

  // CSRF: cookies are SameSite=Lax, and a state-changing request that says where it
  // comes from must come from this origin. JSON bodies need a preflight cross-site anyway.
  app.addHook('onRequest', async (request, reply) => {
    if (!UNSAFE_METHODS.has(request.method)) return;
    if (isCrossSite(request.headers.origin, request.headers.host)) return sendError(reply, 'forbidden', 'Cross-site request refused.');
  });

  app.addHook('onRequest', endSignedOutSession(deps));

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 429) return sendError(reply, 'rate_limited');
    if (status === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 'payload_too_large');
    if (status >= 400 && status < 500) return sendError(reply, 'bad_request', error.message);
    // The database is away (a restart, a network blip): 503, worth retrying; the outage itself is logged once.
    if (isStoreUnavailable(error)) {
      request.log.debug({ err: error }, 'request refused: storage unavailable');
      return sendError(reply, 'unavailable');
    }
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
  getRoomReceiptsRoute(app, deps);
  listDevicesRoute(app, deps);
  revokeDeviceRoute(app, deps);
  revokeOtherDevicesRoute(app, deps);
  changePasswordRoute(app, deps);
  updateProfileRoute(app, deps);
  deleteAccountRoute(app, deps);
  changeEmailRoute(app, deps);
  exportMyDataRoute(app, deps);
  getPrivacyRoute(app, deps);
  updatePrivacyRoute(app, deps);
  listBlockedRoute(app, deps);
  blockUserRoute(app, deps);
  unblockUserRoute(app, deps);
  getPushKeyRoute(app, deps);
  savePushSubscriptionRoute(app, deps);
  deletePushSubscriptionRoute(app, deps);
  healthRoutes(app, deps);
  metricsRoute(app, deps);
  fileRoutes(app, deps);
  createGroupInviteRoute(app, deps);
  getGroupInviteRoute(app, deps);
  revokeGroupInviteRoute(app, deps);
  getInviteRoute(app, deps);
  joinInviteRoute(app, deps);
  fetchLinkPreviewRoute(app, deps);

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
