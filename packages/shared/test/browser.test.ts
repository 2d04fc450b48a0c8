// The built package in a real browser: a cross-origin-isolated page (so SharedArrayBuffer is
// available) and two module Web Workers doing Lock-protected increments on one Value.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const ROUTES: Record<string, string> = {
  '/': here('./fixtures/browser/index.html'),
  '/worker.mjs': here('./fixtures/browser/worker.mjs'),
};
const TYPES: Record<string, string> = { html: 'text/html', mjs: 'text/javascript', js: 'text/javascript' };

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    // Only files directly in dist/ (no "..") are served besides the two fixtures.
    const file =
      ROUTES[path] ?? (/^\/dist\/([\w-]+\/)?[\w.-]+\.js$/.test(path) ? here(`..${path}`) : undefined);
    if (!file || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[file.split('.').pop()!] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    });
    res.end(await readFile(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('in a browser', () => {
  it.skipIf(!hasChromium)(
    hasChromium
      ? 'a Lock-protected counter is exact and ByteChannel messages arrive whole, in two Web Workers'
      : `a Lock-protected counter is exact and ByteChannel messages arrive whole, in two Web Workers (skipped: no Chromium at ${CHROMIUM})`,
    async () => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        await page.goto(`${origin}/`);
        const handle = await page.waitForFunction(
          () => (globalThis as { result?: unknown }).result,
          undefined,
          {
            timeout: 20_000,
          },
        );
        const result = (await handle.jsonValue()) as Record<string, unknown>;
        expect(errors).toEqual([]);
        expect(result).toEqual({
          total: 40_000,
          expected: 40_000,
          isolated: true,
          messages: [1, 1, 1, 2, 2, 2],
        });
      } finally {
        await browser.close();
      }
    },
    30_000,
  );
});
