/**
 * The Redis connection string, read as ioredis reads it (`parseURL` in its `utils`): a `redis://`
 * or `rediss://` URL whose path is the database number (`redis://user:pass@host:6379/0`), or the
 * path of a Unix socket (`/run/redis.sock`, options after a `?`: `/run/redis.sock?db=2`).
 * `unix:///run/redis.sock` (the form of redis-cli's `-u` and of other clients) names that socket
 * too and is handed to ioredis as its path. What ioredis would misread gets advice instead: a
 * `redis://` URL holding a socket path (ioredis reads that path as the database number and
 * connects to 127.0.0.1:6379), a database that is not a number, a URL without its scheme.
 */
import { ValidationError } from '@multiproc/core';

/** A connection string checked: what ioredis is given, and a label without credentials. */
export interface RedisUrl {
  readonly url: string;
  readonly label: string;
}

/** Checks `text` (see the module's comment); `who` starts the message of the `ValidationError` it throws. */
export function parseRedisUrl(text: string, who: string): RedisUrl {
  if (text.startsWith('/') && !text.startsWith('//')) return socketUrl(text);
  if (/^unix:/i.test(text)) return unixUrl(text, who);
  // 'host:port' and 'localhost:6379' (ioredis's `new Redis('host:port')` form) have no scheme: the
  // second even parses, as a URL of scheme 'localhost:'. Shown without any credentials before '@'.
  if (!text.includes('://')) {
    const shown = text.slice(text.lastIndexOf('@') + 1);
    throw new ValidationError(
      `${who}: the Redis URL '${shown}' has no scheme: write '${schemed(text, shown)}' (rediss:// for TLS), ` +
        "or give a Unix socket's path ('/run/redis.sock').",
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError(
      `${who}: '${labelOf(text)}' is not a URL; use redis://host:port (or rediss:// for TLS).`,
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ValidationError(
      `${who}: the Redis URL must start with redis:// or rediss:// (or be a Unix socket's path, ` +
        `'/run/redis.sock'), got ${url.protocol}//.`,
    );
  }
  if (!/^(\/\d*)?$/.test(url.pathname)) {
    const path = decodeURIComponent(url.pathname);
    throw new ValidationError(
      url.host === ''
        ? `${who}: '${labelOf(text)}' would connect to 127.0.0.1:6379: ioredis reads the path of a ` +
            `${url.protocol}// URL as the database number. For a Unix socket give its path ('${path}') ` +
            `or 'unix://${path}'.`
        : `${who}: the path of a Redis URL is the database number (redis://host:6379/0), got ` +
            `'${path.slice(1)}' in '${labelOf(text)}'; for a Unix socket give its path ('/run/redis.sock').`,
    );
  }
  return { url: url.href, label: labelOf(text) };
}

/** A socket's path as ioredis takes it, options after `?` kept. */
function socketUrl(text: string): RedisUrl {
  const query = text.indexOf('?');
  return { url: text, label: `unix://${query === -1 ? text : text.slice(0, query)}` };
}

/**
 * `unix:///run/redis.sock?db=2` (or `unix:/run/redis.sock`) as the socket's path. ioredis given the
 * URL itself reads `unix` as a host and `///run/redis.sock` as the path, which works by chance only.
 */
function unixUrl(text: string, who: string): RedisUrl {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {}
  if (url?.host !== '' || !url.pathname.startsWith('/') || url.pathname === '/') {
    throw new ValidationError(
      `${who}: '${text.slice(text.lastIndexOf('@') + 1)}' names no socket: a unix: URL is 'unix://' ` +
        "followed by the socket's absolute path ('unix:///run/redis.sock', three slashes); or give the path itself.",
    );
  }
  const path = decodeURIComponent(url.pathname);
  // ioredis ends a socket's path at its first '?' (the options follow it): such a path goes as `path`.
  if (path.includes('?')) {
    throw new ValidationError(
      `${who}: the socket path '${path}' holds a '?', where ioredis ends the path: give it as the ` +
        `option 'path' ({ path: '${path}' }).`,
    );
  }
  return socketUrl(path + url.search);
}

/**
 * The URL to write for `text`, a connection string without `://` (`shown` without its credentials):
 * `host:port`, a bare port, `//host:port`, or a scheme missing its slashes (`redis:host:6379`,
 * `redis:/run/redis.sock`, the path of a socket).
 */
function schemed(text: string, shown: string): string {
  const scheme = /^rediss?:/i.exec(text)?.[0].toLowerCase();
  const rest = (
    scheme && shown.toLowerCase().startsWith(scheme) ? shown.slice(scheme.length) : shown
  ).replace(/^\/\//, '');
  if (/^\/[^/]/.test(rest)) return rest; // a socket's path
  if (/^\d+$/.test(rest)) return `redis://127.0.0.1:${rest}`;
  return `${scheme ?? 'redis:'}//${rest.replace(/^\/+/, '')}`;
}

/** `text` without its credentials, to be printed. */
function labelOf(text: string): string {
  if (text.startsWith('/') && !text.startsWith('//')) return socketUrl(text).label;
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}
