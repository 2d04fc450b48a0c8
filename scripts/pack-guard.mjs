#!/usr/bin/env node
// `prepack` of every published package. `npm pack` and `npm publish` copy `workspace:^` into the
// tarball's dependencies, and such a tarball does not install; `pnpm pack` and `pnpm publish`
// (what `changeset publish` runs here) rewrite them to real version ranges. So only pnpm may pack.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: npm and pnpm set it for `prepack`; no turbo task reads it
const agent = process.env.npm_config_user_agent ?? '';
// biome-ignore lint/suspicious/noUndeclaredEnvVars: likewise
const name = process.env.npm_package_name ?? 'this package';
if (!agent.startsWith('pnpm/')) {
  const by = agent.split(' ')[0] || 'this tool';
  console.error(
    `Refusing to pack ${name} with ${by}: its tarball would ` +
      `keep "workspace:^" dependencies and fail to install. Use \`pnpm pack\` or \`pnpm publish\` ` +
      '(`pnpm release` publishes every package).',
  );
  process.exit(1);
}
