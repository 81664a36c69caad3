/**
 * The request Hocuspocus keeps for a sync connection: a web `Request` whose `url` is the
 * path and query the socket asked for. Hocuspocus reads a connection's `url` on every
 * message it sends (`getParameters`, for the `beforeHandleMessage` and `onChange` hooks'
 * `requestParameters`): a web `Request` serialises its absolute url again on each read,
 * and Hocuspocus then parses it with `new URL`, about 3 % of the server's main thread
 * under load (`npm run bench:load -- --cpu-prof`). A path it only splits on "?".
 */
export function syncRequest(url: URL, headers: Headers): Request {
  const request = new Request(url, { headers });
  Object.defineProperty(request, 'url', { value: url.pathname + url.search, enumerable: true });
  return request;
}
