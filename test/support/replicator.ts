import { setTimeout as delay } from 'node:timers/promises';

/**
 * moto never replicates S3 objects or DynamoDB global-table items between Regions. This is the
 * test world's replication, with a lag it controls: every `intervalMs` it lists what the primary
 * has, and copies each record `lagMs` after it first saw it. `pause()` is the Region outage (or
 * FIS's pause-replication): nothing more is copied. `copied` is the ground truth a canary's
 * reading is compared with.
 */
export interface Replicator {
  readonly copied: ReadonlySet<string>;
  pause(): void;
  /** Resolves once `count` records have been copied. */
  copiedAtLeast(count: number): Promise<void>;
  stop(): Promise<void>;
}

export function startReplicator(options: { list(): Promise<string[]>; copy(key: string): Promise<void>; lagMs: number; intervalMs: number }): Replicator {
  const firstSeen = new Map<string, number>();
  const copied = new Set<string>();
  const waiters: { count: number; resolve(): void }[] = [];
  let paused = false;
  let stopped = false;

  const loop = (async () => {
    while (!stopped) {
      if (!paused) {
        const now = Date.now();
        for (const key of await options.list()) if (!firstSeen.has(key)) firstSeen.set(key, now);
        for (const [key, seen] of firstSeen) {
          if (paused || copied.has(key) || now - seen < options.lagMs) continue;
          await options.copy(key);
          copied.add(key);
        }
        for (const waiter of waiters.filter((w) => copied.size >= w.count)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      await delay(options.intervalMs);
    }
  })();

  return {
    copied,
    pause() { paused = true; },
    copiedAtLeast: (count) => (copied.size >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
