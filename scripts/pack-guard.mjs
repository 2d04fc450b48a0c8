#!/usr/bin/env node
// `prepack` of every published package. `npm pack` and `npm publish` copy `workspace:^` into the
// tarball's dependencies, and such a tarball does not install; `pnpm pack` and `pnpm publish`
// (what `changeset publish` runs here) rewrite them to real version ranges. So only pnpm may pack.
const agent = process.env.npm_config_user_agent ?? '';
if (!agent.startsWith('pnpm/')) {
  const by = agent.split(' ')[0] || 'this tool';
  console.error(
    `Refusing to pack ${process.env.npm_package_name ?? 'this package'} with ${by}: its tarball would ` +
      `keep "workspace:^" dependencies and fail to install. Use \`pnpm pack\` or \`pnpm publish\` ` +
      '(`pnpm release` publishes every package).',
  );
  process.exit(1);
}
