import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * The trivial HTTP server the probe-engine benchmark probes, run in its own process so it does not
 * share an event loop with the engine: `200 ok` for every request, and a fault hook
 * (`POST /fault/on|off`) that changes nothing, so a drill can inject and revert around its
 * observe phase. Prints `{"port":N}` once listening; stops on SIGTERM.
 */
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok'));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
