/**
 * The `NODE_DEBUG=multiproc` log: one stderr line per worker event, for pools and processes.
 * Not `import ... from 'node:util'`: on Node 22 and later, importing node:util as an ES module
 * reads every export of it, one of which touches process.stderr (and with a piped stderr loads
 * node:net).
 */
export const debugLog = process.getBuiltinModule('node:util').debuglog('multiproc');
