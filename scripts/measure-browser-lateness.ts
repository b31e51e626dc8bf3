/**
 * How much browser journeys delay the HTTP probes that time a drill. An HTTP probe samples a
 * local lab app every 200 ms through the runner's own schedule, alone and beside browser probes
 * walking the shop journey; lateness is each sample's send time minus its planned time
 * (first send + k × interval), and the HTTP latency is what the sample measured.
 *
 *   npx tsx scripts/measure-browser-lateness.ts [seconds per run, default 15]
 */
import { loadavg } from 'node:os';
import { createClock } from '../src/core/clock.js';
import { Timeline, type SampleEvent } from '../src/core/timeline.js';
import { startAppServer } from '../lab/app-server.js';
import { memoryShopStore, shopRoutes } from '../lab/web-page.js';
import { browserConcurrency } from '../src/probes/browser-pool.js';
import { createBrowserProbe } from '../src/probes/browser.js';
import { createHttpProbe } from '../src/probes/http.js';
import type { Probe } from '../src/probes/probe.js';
import { scheduleProbe } from '../src/runner/schedule.js';

const SECONDS = Number(process.argv[2] ?? 15);
const HTTP_INTERVAL_MS = 200;

const app = await startAppServer({ region: 'us-east-1', host: '127.0.0.1', port: 0, routes: shopRoutes('us-east-1', memoryShopStore()) });
const url = `http://127.0.0.1:${app.port}/`;

async function run(label: string, browsers: { count: number; interval: string }): Promise<void> {
  const clock = createClock();
  const timeline = new Timeline();
  const samples: SampleEvent[] = [];
  timeline.subscribe((e) => { if (e.kind === 'sample') samples.push(e); });
  const probes: Probe[] = [createHttpProbe('http', { url: `${url}health`, interval: `${HTTP_INTERVAL_MS}ms`, timeout: '1s' })];
  for (let i = 0; i < browsers.count; i++) probes.push(createBrowserProbe(`shop-${i}`, { journey: 'probes/lab/shop.journey.ts', url: `${url}shop`, interval: browsers.interval, timeout: '5s' }));
  const schedules = probes.map((probe) => scheduleProbe(probe, { clock, timeline, outDir: '/tmp/firedrill-lateness' }));
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
  await Promise.all(schedules.map((s) => s.stop()));
  await Promise.all(probes.map((p) => p.close()));
  const http = samples.filter((s) => s.probe === 'http').sort((a, b) => a.t - b.t);
  const lateness = http.map((s) => s.t - s.plannedT!);
  const journeys = samples.filter((s) => s.probe !== 'http');
  console.log([
    label.padEnd(34),
    `lateness p50 ${ms(pct(lateness, 50))} p99 ${ms(pct(lateness, 99))} max ${ms(Math.max(...lateness))}`,
    `http latency p50 ${ms(pct(http.map((s) => s.latencyMs), 50))} p99 ${ms(pct(http.map((s) => s.latencyMs), 99))}`,
    `http failed ${http.filter((s) => !s.ok).length}/${http.length}`,
    `journeys ${journeys.filter((s) => s.ok).length}/${journeys.length} ok, ${queued(journeys)} queued`,
  ].join('  '));
}

function queued(samples: SampleEvent[]): number {
  return samples.filter((s) => s.detail?.queuedMs !== undefined).length;
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function ms(value: number): string {
  return `${value.toFixed(1)}ms`.padStart(8);
}

console.log(`${SECONDS}s per run, HTTP probe every ${HTTP_INTERVAL_MS}ms, browser concurrency ${browserConcurrency()}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
await run('HTTP alone', { count: 0, interval: '1s' });
await run('+ 1 journey every 2s', { count: 1, interval: '2s' });
await run('+ 2 journeys every 1s', { count: 2, interval: '1s' });
await run('+ 4 journeys every 1s (over the limit)', { count: 4, interval: '1s' });
await run('HTTP alone, again', { count: 0, interval: '1s' });
await app.close();
