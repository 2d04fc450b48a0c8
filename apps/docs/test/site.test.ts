// The built site in headless Chromium: every page is visited and must load without a console
// error, a failed request, a broken internal link or a missing image; the live demo must count
// exactly with the lock; without cross-origin isolation it must explain what is missing; the search
// box must find the page for a Python name (`apply_async`, `Manager`).
// Screenshots of every guide, package and demo page go to test/screenshots/ (ignored by git).
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { DIST, serve } from '../scripts/serve.mjs';
import { DOCS } from './project.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(DOCS, 'test/screenshots');
const canRun = existsSync(CHROMIUM) && existsSync(join(DIST, 'index.html'));
// Whole-page screenshots for reading the pages (DOCS_FULL_SCREENSHOTS=1); the top of each page otherwise.
const FULL_SHOTS = process.env.DOCS_FULL_SCREENSHOTS === '1';

let browser: Browser;
let isolated: Server;
let plain: Server;
const origin = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

/** A page that records console errors, page errors and failed same-origin requests. */
async function watchedPage(base: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.url().startsWith(base) && r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    // Prefetches of linked pages are cancelled when the test moves on: not a failure.
    if (r.url().startsWith(base) && r.failure()?.errorText !== 'net::ERR_ABORTED') {
      problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
    }
  });
  return { page, problems };
}

describe.skipIf(!canRun)('the built site in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [isolated, plain] = await Promise.all([serve({ isolated: true }), serve({ isolated: false })]);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([isolated, plain].map((s) => s && new Promise((r) => s.close(r))));
  });

  it('every page loads cleanly, and every internal link and image resolves', {
    timeout: 420_000,
  }, async () => {
    const base = origin(isolated);
    const { page, problems } = await watchedPage(base);
    const seen = new Set<string>();
    const queue = ['/'];
    const anchors = new Map<string, Set<string>>(); // page path -> ids on it
    const links: { from: string; path: string; hash: string }[] = [];
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const before = problems.length;
      const started = Date.now();
      if (seen.size > 1) {
        // After the first page, move through the app's router, as a reader clicking links does:
        // each page's module is loaded and rendered without reloading the whole app. The page's
        // own HTML (what a direct visit gets) is checked with a plain request.
        const html = await fetch(base + path);
        if (!html.ok) problems.push(`HTTP ${html.status}: ${path}`);
        await page.evaluate(async (p) => {
          const router = (window as unknown as { __docsRouter: { go(p: string): Promise<void> } })
            .__docsRouter;
          await router.go(p);
          await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        }, path);
        const reached = new URL(page.url()).pathname.replace(/(.)\/$/, '$1');
        if (reached !== path) problems.push(`did not reach ${path}`);
      } else {
        const response = await page.goto(base + path, { waitUntil: 'load' });
        if (!response?.ok()) problems.push(`HTTP ${response?.status()}: ${path}`);
      }
      await page.waitForFunction(() => [...document.images].every((i) => i.complete), undefined, {
        timeout: 20_000,
      });
      const info = await page.evaluate(() => ({
        ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
        links: [...document.querySelectorAll<HTMLAnchorElement>('a[href]')].map((a) => a.href),
        brokenImages: [...document.images]
          .filter((i) => !i.complete || i.naturalWidth === 0)
          .map((i) => i.src),
      }));
      anchors.set(path, new Set(info.ids));
      for (const src of info.brokenImages) problems.push(`missing image on ${path}: ${src}`);
      for (const href of info.links) {
        const url = new URL(href);
        if (url.origin !== base) continue;
        const target = url.pathname.replace(/\.html$/, '').replace(/(.)\/$/, '$1') || '/';
        links.push({ from: path, path: target, hash: decodeURIComponent(url.hash.slice(1)) });
        if (!seen.has(target)) queue.push(target);
      }
      if (/^\/(guide|packages|demos)\/|^\/$/.test(path)) {
        const name = path === '/' ? 'home' : path.slice(1).replaceAll('/', '-');
        await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: FULL_SHOTS });
      }
      if (process.env.DOCS_TEST_TIMING) console.log(path, Date.now() - started);
      for (const p of problems.slice(before)) problems[problems.indexOf(p)] = `${path}: ${p}`;
    }
    for (const link of links) {
      if (link.hash && !anchors.get(link.path)?.has(link.hash)) {
        problems.push(`broken anchor on ${link.from}: ${link.path}#${link.hash}`);
      }
    }
    await page.close();
    expect(seen.size).toBeGreaterThan(40);
    expect(problems).toEqual([]);
  });

  it('the live demo counts exactly with the lock', { timeout: 120_000 }, async () => {
    const base = origin(isolated);
    const { page, problems } = await watchedPage(base);
    await page.goto(`${base}/demos/racing-counter`, { waitUntil: 'load' });
    await page.locator('[data-test="run"]').click();
    await page.locator('[data-test="locked-total"]').waitFor({ timeout: 100_000 });
    const total = Number(await page.locator('[data-test="locked-total"]').textContent());
    const expected = Number(await page.locator('[data-test="locked-expected"]').textContent());
    const unlocked = Number(await page.locator('[data-test="unlocked-total"]').textContent());
    await page.screenshot({ path: join(SHOTS, 'demos-racing-counter-run.png'), fullPage: true });
    await page.close();
    expect(problems).toEqual([]);
    expect(expected).toBe(1_000_000);
    expect(total).toBe(expected);
    expect(unlocked).toBeGreaterThan(0);
    expect(unlocked).toBeLessThanOrEqual(expected);
  });

  // A Python user searches for the names they know: each must lead to the page that answers it.
  it('the search box finds the pages for Python names', { timeout: 120_000 }, async () => {
    const base = origin(isolated);
    const { page, problems } = await watchedPage(base);
    await page.goto(`${base}/guide/getting-started`, { waitUntil: 'load' });
    const expected: [query: string, path: RegExp][] = [
      ['apply_async', /^\/api\/@multiproc\/core\/classes\/Pool#applyasync$/],
      ['imap_unordered', /^\/api\/@multiproc\/core\/classes\/Pool#imapunordered$/],
      ['maxtasksperchild', /^\/api\/@multiproc\/core\/interfaces\/PoolOptions#maxtasksperchild$/],
      ['Manager', /^\/guide\/sharing-state#/],
      ['set_start_method', /^\/api\/@multiproc\/core\/functions\/setStartMethod#/],
      ['cpu_count', /^\/api\/@multiproc\/core\/functions\/cpuCount#/],
    ];
    const missed: string[] = [];
    for (const [query, path] of expected) {
      await page.locator('.VPNavBarSearch button').first().click();
      const input = page.locator('.VPLocalSearchBox input');
      await input.fill(query);
      // The results follow the input after a debounce: wait for a matching one, or report the list.
      const found = await page
        .waitForFunction(
          (source) => {
            const links = [...document.querySelectorAll<HTMLAnchorElement>('.VPLocalSearchBox .result')];
            const top = links
              .slice(0, 6)
              .map((a) => decodeURIComponent(new URL(a.href).pathname + new URL(a.href).hash));
            return top.some((h) => new RegExp(source).test(h));
          },
          path.source,
          { timeout: 15_000 },
        )
        .then(
          () => true,
          () => false,
        );
      if (!found) {
        const shown = await page
          .locator('.VPLocalSearchBox .result')
          .evaluateAll((links) =>
            links.slice(0, 6).map((a) => (a as HTMLAnchorElement).getAttribute('href')),
          );
        missed.push(`${query}: ${shown.join(', ')}`);
      }
      await page.keyboard.press('Escape');
    }
    await page.close();
    expect(missed).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('without cross-origin isolation the demo explains what is missing', { timeout: 60_000 }, async () => {
    const base = origin(plain);
    const { page, problems } = await watchedPage(base);
    await page.goto(`${base}/demos/racing-counter`, { waitUntil: 'load' });
    const note = page.locator('[data-test="not-isolated"]');
    await note.waitFor({ timeout: 20_000 });
    const text = await note.textContent();
    await page.screenshot({ path: join(SHOTS, 'demos-racing-counter-not-isolated.png'), fullPage: true });
    await page.close();
    expect(text).toContain('Cross-Origin-Opener-Policy: same-origin');
    expect(text).toContain('Cross-Origin-Embedder-Policy: require-corp');
    expect(problems).toEqual([]);
  });
});
