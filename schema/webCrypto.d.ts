/**
 * The one platform API the shared layer uses: Web Crypto's `randomUUID`, a global in
 * browsers and in Node alike. Declared here because `schema/` is type-checked with
 * neither the DOM's types nor Node's (`schema/tsconfig.json`), so that it stays usable
 * by both sides.
 */
declare const crypto: { randomUUID(): `${string}-${string}-${string}-${string}-${string}` };
