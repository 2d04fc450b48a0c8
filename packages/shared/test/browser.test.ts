// The built package in a real browser: a cross-origin-isolated page (so SharedArrayBuffer is
// available) and two module Web Workers doing Lock-protected increments on one Value.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const ROUTES: Record<string, string> = {
  '/': here('./fixtures/browser/index.html'),
  '/worker.mjs': here('./fixtures/browser/worker.mjs'),
  '/mistakes.html': here('./fixtures/browser/mistakes.html'),
  '/refusals.html': here('./fixtures/browser/refusals.html'),
  '/holder.mjs': here('./fixtures/browser/holder.mjs'),
};
// A path under this prefix is served without the isolation headers, as a page whose server lacks them.
const PLAIN = '/plain';
const TYPES: Record<string, string> = { html: 'text/html', mjs: 'text/javascript', js: 'text/javascript' };

// One Chromium for the file: its start is the slow part, and in CI it starts while every other
// package's tests run on the same 2 cores (one CI run: over 30 s).
let browser: Browser | undefined;
async function launched(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 120_000,
  });
  return browser;
}

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const asked = new URL(req.url ?? '/', 'http://x').pathname;
    const isolate = !asked.startsWith(`${PLAIN}/`);
    const path = isolate ? asked : asked.slice(PLAIN.length);
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
      ...(isolate
        ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
        : {}),
    });
    res.end(await readFile(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server.close(resolve));
}, 60_000);

describe('in a browser', () => {
  it.skipIf(!hasChromium)(
    hasChromium
      ? 'a Lock-protected counter is exact and ByteChannel messages arrive whole, in two Web Workers'
      : `a Lock-protected counter is exact and ByteChannel messages arrive whole, in two Web Workers (skipped: no Chromium at ${CHROMIUM})`,
    async () => {
      expect(await resultOf('/', { consoleErrors: true })).toEqual({
        total: 40_000,
        expected: 40_000,
        isolated: true,
        messages: [1, 1, 1, 2, 2, 2],
      });
    },
    180_000, // the test that runs first also waits for Chromium's start
  );
});

/**
 * Loads `path` in headless Chromium and returns what the page put in `window.result`; fails on a
 * page error, and with `consoleErrors` on a `console.error` too.
 */
async function resultOf(path: string, { consoleErrors = false } = {}): Promise<Record<string, unknown>> {
  const page = await (await launched()).newPage();
  try {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    if (consoleErrors) {
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
    }
    await page.goto(`${origin}${path}`);
    const handle = await page.waitForFunction(() => (globalThis as { result?: unknown }).result, undefined, {
      timeout: 60_000,
    });
    expect(errors).toEqual([]);
    return (await handle.jsonValue()) as Record<string, unknown>;
  } finally {
    await page.close();
  }
}

const contextError = (says: RegExp) => ({
  name: 'ContextError',
  code: 'MP_CONTEXT',
  says: expect.stringMatching(says),
});

describe('the documented browser mistakes give named errors that say what to do', () => {
  it.skipIf(!hasChromium)(
    'a page without cross-origin isolation: new Value() throws ContextError naming the COOP/COEP headers',
    async () => {
      const result = await resultOf(`${PLAIN}/mistakes.html`);
      expect(result).toEqual({
        isolated: false,
        value: contextError(
          /Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/s,
        ),
      });
    },
    180_000, // the test that runs first also waits for Chromium's start
  );

  it.skipIf(!hasChromium)(
    "a blocking wait on the page's main thread: acquireSync()/waitSync() throw ContextError naming the async form before they count as waiting, calls that never wait answer as elsewhere; a raw postMessage of a Lock throws DataCloneError",
    async () => {
      const result = await resultOf('/mistakes.html');
      expect(result).toEqual({
        isolated: true,
        value: { returned: 0 },
        holder: '<Lock(owner=MainProcess)>',
        heldLock: contextError(/await lock\.acquire\(\)/),
        unsetEvent: contextError(/await lock\.acquire\(\)/),
        timeUp: [contextError(/await lock\.acquire\(\)/), contextError(/await lock\.acquire\(\)/)],
        neverWaits: {
          heldLock: { returned: false },
          semaphore: { returned: false },
          event: { returned: false },
          eventNegative: { returned: false },
          setEvent: { returned: true },
          condition: { returned: [false, 0, true] },
          channel: 'TimeoutError',
          barrier: ['BrokenBarrierError', true],
          lastParty: { returned: 0 },
        },
        refusedLeavesNothing: {
          condition: ['ContextError', true, true],
          barrier: ['ContextError', 0, false],
        },
        asyncForm: false,
        posted: {
          name: 'DataCloneError',
          code: 25,
          says: expect.stringContaining('a Lock cannot be posted as itself'),
        },
      });
    },
    180_000, // the test that runs first also waits for Chromium's start
  );
});

describe("a blocking call refused on the page's main thread touches no shared word first", () => {
  it.skipIf(!hasChromium)(
    'every …Sync wait of every primitive that would have to wait: ContextError, and its words (Atomics writes, wake-ups, the words after) unchanged',
    async () => {
      const result = await resultOf('/refusals.html');
      const { pendingParty, ...cases } = result;
      expect(Object.keys(cases)).toHaveLength(20);
      for (const [name, outcome] of Object.entries(cases)) {
        expect({ name, ...(outcome as object) }).toEqual({
          name,
          outcome: 'ContextError',
          touched: [],
          changed: [],
        });
      }
      // The page's own async wait() at the barrier was not disturbed by the refused waitSync().
      expect(pendingParty).toBe('BrokenBarrierError');
    },
    180_000, // the test that runs first also waits for Chromium's start
  );
});
