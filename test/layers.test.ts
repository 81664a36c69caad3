import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|tsx)$/.test(name)) out.push(full);
  }
  return out;
}

/** Every relative or `#schema/` import of every file under `layer`, resolved to a path from the repo root. */
function importsOf(layer: string): { file: string; target: string }[] {
  return sourceFiles(path.join(root, layer)).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]((?:\.|#schema\/)[^'"]+)['"]/g)].map((m) => ({
      file: path.relative(root, file),
      target: m[1]!.startsWith('#schema/') ? path.join('schema', m[1]!.slice('#schema/'.length)) : path.relative(root, path.resolve(path.dirname(file), m[1]!)),
    })),
  );
}

// design §2: schema/ is the bottom layer; client/ and sync-server/ never import each other.
describe('layers', () => {
  it('schema/ imports neither client/ nor sync-server/', () => {
    expect(importsOf('schema').length).toBeGreaterThan(10); // the scan sees the imports at all
    expect(importsOf('schema').filter(({ target }) => !target.startsWith('schema'))).toEqual([]);
  });

  it('client/ does not import sync-server/', () => {
    expect(importsOf('client').filter(({ target }) => target.startsWith('sync-server'))).toEqual([]);
  });

  it('sync-server/ does not import client/', () => {
    expect(importsOf('sync-server').filter(({ target }) => target.startsWith('client'))).toEqual([]);
  });

  it('every other folder reaches schema/ through the #schema/ alias, never a relative path', () => {
    const relative = ['client', 'sync-server', 'scripts', 'test'].flatMap((layer) =>
      sourceFiles(path.join(root, layer)).filter((file) => /(?:from|import)\s*\(?\s*['"](?:\.\.\/)+schema\//.test(readFileSync(file, 'utf8'))),
    );
    expect(relative.map((file) => path.relative(root, file))).toEqual([]);
  });
});
