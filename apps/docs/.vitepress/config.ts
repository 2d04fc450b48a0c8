import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';

// Pages are cross-origin isolated (SharedArrayBuffer, for the live demo) on the dev server and the
// preview server (scripts/serve.mjs), and must be on whatever host serves the built site.
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const apiSidebarFile = fileURLToPath(new URL('../api/typedoc-sidebar.json', import.meta.url));
const apiSidebar = existsSync(apiSidebarFile) ? JSON.parse(readFileSync(apiSidebarFile, 'utf8')) : [];

const guide = (text: string, slugs: [string, string][]) => ({
  text,
  items: slugs.map(([slug, title]) => ({ text: title, link: `/guide/${slug}` })),
});

export default defineConfig({
  title: 'multiproc',
  description: "Python's multiprocessing, rebuilt for TypeScript on Node.js.",
  cleanUrls: true,
  lastUpdated: false,
  srcExclude: ['examples/**', 'README.md', 'test/**'],
  head: [['link', { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' }]],
  markdown: { languageAlias: { mjs: 'js', cjs: 'js', mts: 'ts', cts: 'ts' } },
  vite: {
    server: { headers: ISOLATION_HEADERS },
    preview: { headers: ISOLATION_HEADERS },
    worker: { format: 'es' },
    // The local search index and the theme make one large chunk; it is loaded once.
    build: { chunkSizeWarningLimit: 2000 },
  },
  themeConfig: {
    logo: '/favicon.svg',
    search: { provider: 'local' },
    outline: [2, 3],
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'From Python', link: '/guide/from-python' },
      { text: 'Packages', link: '/packages/multiproc' },
      { text: 'API', link: '/api/' },
      { text: 'Live demo', link: '/demos/racing-counter' },
      { text: 'Internals', link: '/internals/' },
    ],
    sidebar: {
      '/guide/': [
        guide('Start here', [
          ['getting-started', 'Getting started'],
          ['why-multiprocessing', 'Why multiprocessing'],
          ['processes-vs-threads', 'Processes vs threads'],
          ['from-python', 'From Python'],
          ['from-node-pools', 'From piscina, tinypool, workerpool'],
        ]),
        guide('Using it', [
          ['process', 'Process'],
          ['pool', 'Pool'],
          ['pipes-and-queues', 'Pipes and queues'],
          ['shared-memory', 'Shared memory and locks'],
          ['sharing-state', 'Sharing state'],
          ['contexts', 'Contexts'],
          ['errors', 'Errors'],
        ]),
        guide('In production', [
          ['reliability', 'Fault tolerance and reliability'],
          ['reliability-tests', 'How reliability is tested'],
          ['scaling-out', 'Scaling out'],
          ['performance', 'Performance'],
          ['bundling', 'Bundling'],
          ['runtimes', 'Runtimes'],
        ]),
        { text: 'Live demo', items: [{ text: 'Racing counter', link: '/demos/racing-counter' }] },
      ],
      '/demos/': [{ text: 'Live demos', items: [{ text: 'Racing counter', link: '/demos/racing-counter' }] }],
      '/packages/': [
        {
          text: 'Packages',
          items: ['multiproc', 'core', 'ipc', 'shared', 'bullmq'].map((name) => ({
            text: name === 'multiproc' ? '@multiproc/multiproc' : `@multiproc/${name}`,
            link: `/packages/${name}`,
          })),
        },
      ],
      '/internals/': [
        { text: 'Internals', items: [{ text: 'Build, imports and tests', link: '/internals/' }] },
      ],
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar }],
    },
    socialLinks: [{ icon: 'github', link: 'https://github.com/multiproc/multiproc' }],
    footer: { message: 'MIT licensed. Every example on this site is run by the test suite.' },
  },
});
