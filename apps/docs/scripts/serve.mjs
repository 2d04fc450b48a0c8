#!/usr/bin/env node
// Serves the built site (.vitepress/dist) the way a host must: with the cross-origin isolation
// headers, so SharedArrayBuffer works on the live demo. `vitepress preview` cannot add headers.
// Used by `pnpm preview` and by the browser test (which also starts one without the headers).
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST = fileURLToPath(new URL('../.vitepress/dist/', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file a URL path maps to, with clean URLs (`/guide/pool` -> `guide/pool.html`), or null. */
function resolveFile(root, pathname) {
  const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  if (rel.split(sep).includes('..')) return null;
  const base = join(root, rel);
  for (const candidate of [base, `${base}.html`, join(base, 'index.html')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/**
 * Starts a static server for `root` on `port` (0: any free port) and resolves to it once listening.
 * @param {{ root?: string, port?: number, isolated?: boolean }} options
 */
export function serve({ root = DIST, port = 0, isolated = true } = {}) {
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const file = resolveFile(root, pathname);
    const headers = isolated
      ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
      : {};
    if (!file) {
      const notFound = join(root, '404.html');
      res.writeHead(404, { 'Content-Type': TYPES['.html'], ...headers });
      res.end(existsSync(notFound) ? await readFile(notFound) : 'not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', ...headers });
    res.end(await readFile(file));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.env.PORT ?? 4173);
  const server = await serve({ port });
  console.log(`Built site served at http://127.0.0.1:${server.address().port}/ (cross-origin isolated)`);
}
