import { z } from 'zod';
import { noAwsCalls } from '../aws/permissions.js';
import type { CanaryEvent } from '../core/timeline.js';
import type { AdapterKind } from '../runner/kinds.js';
import { durationMs } from '../scenario/fields.js';
import type { Canary } from './canary.js';
import { createHttpCanary, type HttpCanary } from './http-canary.js';
import { resolveSettings } from './http.js';
import { createSqlCanary, type SqlCanary } from './sql-canary.js';

/**
 * The data canaries a scenario can name (RPO):
 * - `sql`: the heartbeat table; writes to `writeTo`, reads the recovered side at `readFrom`
 *   (`postgres://` connection strings, e.g. `${lab.primaryDb}` and `${lab.recoveryDb}`);
 * - `http`: writes through the public endpoint (`POST url`) and reads back through it (`GET url/:id`).
 * The runner appends the event `readRecovered` returns, so the canaries' own read events are not emitted twice.
 */
const connectionString = z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// connection string');

export const sqlCanarySettings = z.strictObject({
  writeTo: connectionString,
  readFrom: connectionString,
  interval: durationMs.default(100),
  timeout: durationMs.optional(),
});

export const httpCanarySettings = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  interval: durationMs.default(100),
  timeout: durationMs.optional(),
  resolve: resolveSettings.optional(),
});

type SqlSettings = z.output<typeof sqlCanarySettings>;
type HttpSettings = z.output<typeof httpCanarySettings>;

/** A canary whose writer is made when the runner starts it (that is when it gets the clock). */
export function lazyCanary<Made extends { start(): void; stop(): Promise<void> }>(
  name: string,
  make: (ctx: Parameters<Canary['start']>[0]) => Made,
  read: (made: Made) => Promise<CanaryEvent>,
): Canary {
  let made: Made | undefined;
  return {
    name,
    start(ctx) {
      made ??= make({ clock: ctx.clock, emit: (event) => { if (event.action === 'write') ctx.emit(event); } });
      made.start();
    },
    stop: async () => made?.stop(),
    async readRecovered() {
      if (!made) throw new Error(`canary ${name} was never started, so there is nothing to read back`);
      return read(made);
    },
  };
}

export const sqlCanaryKind: AdapterKind<z.input<typeof sqlCanarySettings>, Canary> = {
  settings: sqlCanarySettings,
  permissions: noAwsCalls,
  create(name, written) {
    const s: SqlSettings = sqlCanarySettings.parse(written);
    return lazyCanary<SqlCanary>(name,
      (ctx) => createSqlCanary({ name, intervalMs: s.interval, writeTo: () => s.writeTo, ...ctx, ...(s.timeout ? { timeoutMs: s.timeout } : {}) }),
      (canary) => canary.read(s.readFrom));
  },
};

export const httpCanaryKind: AdapterKind<z.input<typeof httpCanarySettings>, Canary> = {
  settings: httpCanarySettings,
  permissions: noAwsCalls,
  create(name, written) {
    const s: HttpSettings = httpCanarySettings.parse(written);
    return lazyCanary<HttpCanary>(name,
      (ctx) => createHttpCanary({ name, url: s.url, intervalMs: s.interval, ...ctx, ...(s.timeout ? { timeoutMs: s.timeout } : {}), ...(s.resolve ? { resolve: s.resolve } : {}) }),
      (canary) => canary.read());
  },
};
