/**
 * What a TCP `Listener`'s `address` answers before its bind completed. Node binds `[host, port]`
 * a tick after `listen()` (the host goes through `dns.lookup` first, even a numeric one), where
 * Python binds in the constructor: an address given whole, an IP literal and a port other than 0,
 * is answered at once, in the form the system reports it once bound (`::1` for
 * `0:0:0:0:0:0:0:1`), so it reads the same before and after. A port 0 (the system picks one)
 * or a host name (looked up first) is only known once bound: `await listener.ready()`.
 */
import { ClosedError, ProcessError } from '@multiproc/shared';

/** `[host, port]` as the system will report it once bound, or null when only the bind can tell. */
export function givenTcpAddress(target: {
  path?: string;
  host?: string;
  port?: number;
}): readonly [host: string, port: number] | null {
  const { host, port } = target;
  if (host === undefined || port === undefined || port === 0 || host.includes('%')) return null;
  const net = process.getBuiltinModule('node:net');
  const family = net.isIP(host);
  if (family === 0) return null; // a name: the lookup decides which address is bound
  return [new net.SocketAddress({ address: host, family: family === 6 ? 'ipv6' : 'ipv4' }).address, port];
}

/**
 * `address` of a TCP listener not bound (yet): the given address, or why there is none.
 * @throws the bind's error (`EADDRINUSE`, `EACCES`) once it failed.
 * @throws {ClosedError} closed before the bind, with nothing given to answer.
 * @throws {ProcessError} not bound yet, naming what to await.
 */
export function addressBeforeBind(
  given: readonly [host: string, port: number] | null,
  target: { path?: string; host?: string; port?: number },
  closed: boolean,
  error: Error | null,
): [host: string, port: number] {
  if (given !== null) {
    if (error !== null) throw error;
    return [given[0], given[1]];
  }
  if (closed) throw new ClosedError('This TCP Listener was closed before it was bound: it has no address.');
  if (error !== null) throw error;
  // Not closed: only not bound yet, so not a ClosedError (that one means "after close()").
  const why =
    target.port === 0
      ? 'its port (0: the system picks a free one) is known once bound'
      : `its host ${JSON.stringify(target.host)} is looked up before the bind`;
  throw new ProcessError(
    `This TCP Listener is not bound yet: ${why}. Read the address from \`await listener.ready()\`.`,
  );
}
