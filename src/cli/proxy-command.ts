import { parseArgs } from 'node:util';
import { startBlackholeProxy, type HostPort } from '../faults/blackhole-proxy.js';
import { EXIT } from '../runtime/errors.js';

const USAGE = 'usage: firedrill proxy --listen HOST:PORT --upstream HOST:PORT [--control HOST:PORT] [--name NAME]';

export interface ProxyCommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Resolves when the proxy should stop; on SIGINT or SIGTERM by default. */
  untilStopped(): Promise<unknown>;
}

/** `firedrill proxy`: runs a blackhole proxy in the foreground until interrupted. */
export async function runProxyCommand(argv: string[], io: ProxyCommandIo = processIo()): Promise<number> {
  let options: ReturnType<typeof parseProxyArgs>;
  try {
    options = parseProxyArgs(argv);
  } catch (error) {
    io.err(`firedrill proxy: ${(error as Error).message}\n${USAGE}`);
    return EXIT.invalid;
  }
  let proxy;
  try {
    proxy = await startBlackholeProxy(options);
  } catch (error) {
    io.err(`firedrill proxy: ${(error as Error).message}`);
    return EXIT.invalid;
  }
  const { host, port } = proxy.listenAddress;
  io.out(`firedrill proxy "${proxy.name}": listening on ${host}:${port}, upstream ${options.upstream.host}:${options.upstream.port}, ` +
    `control ${proxy.controlUrl ?? 'none (start with --control HOST:PORT to drive it)'}`);
  await io.untilStopped();
  await proxy.close();
  return EXIT.passed;
}

function parseProxyArgs(argv: string[]): { name: string; listen: HostPort; upstream: HostPort; control?: HostPort } {
  const { values } = parseArgs({
    args: argv,
    options: {
      listen: { type: 'string' },
      upstream: { type: 'string' },
      control: { type: 'string' },
      name: { type: 'string', default: 'proxy' },
    },
    strict: true,
    allowPositionals: false,
  });
  const listen = parseHostPort('--listen', values.listen);
  const upstream = parseHostPort('--upstream', values.upstream);
  const control = values.control === undefined ? undefined : parseHostPort('--control', values.control);
  return { name: values.name, listen, upstream, ...(control && { control }) };
}

/** "HOST:PORT", with IPv6 hosts in brackets: "[::1]:8080". */
function parseHostPort(flag: string, text: string | undefined): HostPort {
  if (text === undefined) throw new Error(`${flag} is required: expected HOST:PORT like 127.0.0.1:8080`);
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || port > 65_535) throw new Error(`${flag}: expected HOST:PORT like 127.0.0.1:8080 (port 0-65535), got ${JSON.stringify(text)}`);
  return { host: (m[1] ?? m[2])!, port };
}

function processIo(): ProxyCommandIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    untilStopped: () => new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }),
  };
}
