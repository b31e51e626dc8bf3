import { setTimeout as delay } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { z } from 'zod';
import { jsonConditionSchema, matchesCondition, readJsonPath } from '../core/json-path.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';

export const statusEndpointSignalSettings = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).default({}),
  interval: durationMs.default(500),
  timeout: durationMs.default(2_000),
  /** The state is this field's value... */
  field: z.string().optional(),
  /** ...or the name of the first condition that holds, `none` when none does. */
  states: z.record(z.string(), jsonConditionSchema).optional(),
  /** A field holding when the state took effect, by the endpoint's clock: ISO text or epoch ms. */
  sinceField: z.string().optional(),
}).refine((s) => (s.field === undefined) !== (s.states === undefined), { error: 'expected exactly one of "field" or "states"' });

export type StatusEndpointSignalSettings = z.input<typeof statusEndpointSignalSettings>;

export const NO_STATE_MATCHED = 'none';
const RETRY_BACKOFF_MS = 200;

/**
 * An application's own status endpoint (a failover controller's `/status`, a health page) as a
 * signal. An endpoint that fails, times out or answers something other than JSON throws, after one
 * retry on 5xx / 429, so the runner records the poll as unknown.
 */
export function createStatusEndpointSignal(name: string, settings: StatusEndpointSignalSettings): Signal {
  const s = statusEndpointSignalSettings.parse(settings);
  const agent = new Agent();

  async function fetchOnce(signal: AbortSignal): Promise<{ status: number; text: string }> {
    const timeout = AbortSignal.timeout(s.timeout);
    try {
      const response = await request(s.url, { dispatcher: agent, headers: s.headers, signal: AbortSignal.any([signal, timeout]) });
      return { status: response.statusCode, text: await response.body.text() };
    } catch (error) {
      if (timeout.aborted) throw new Error(`status endpoint timed out after ${s.timeout}ms`);
      throw new Error(`status endpoint unreachable: ${(error as { code?: string }).code ?? (error as Error).message}`);
    }
  }

  async function fetchJson(signal: AbortSignal): Promise<unknown> {
    let answer = await fetchOnce(signal);
    if (isRetryable(answer.status)) {
      await delay(RETRY_BACKOFF_MS, undefined, { signal });
      answer = await fetchOnce(signal);
    }
    if (answer.status < 200 || answer.status >= 300) throw new Error(`status endpoint answered ${answer.status}`);
    try {
      return JSON.parse(answer.text);
    } catch {
      throw new Error('status endpoint answered something other than JSON');
    }
  }

  return {
    name,
    intervalMs: s.interval,
    async observe({ signal }): Promise<Observation> {
      const body = await fetchJson(signal);
      const since = s.sinceField === undefined ? undefined : readSince(readJsonPath(body, s.sinceField));
      return { state: readState(s, body), ...(since ? { since } : {}) };
    },
    async close() {
      await agent.destroy();
    },
  };
}

function isRetryable(status: number): boolean {
  return status >= 500 || status === 429;
}

function readState(s: z.output<typeof statusEndpointSignalSettings>, body: unknown): string {
  if (s.states) return Object.entries(s.states).find(([, cond]) => matchesCondition(body, cond))?.[0] ?? NO_STATE_MATCHED;
  const value = readJsonPath(body, s.field!);
  if (value === undefined) throw new Error(`status endpoint body has no field ${JSON.stringify(s.field)}`);
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function readSince(value: unknown): Date | undefined {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}
