import {
  GetExperimentCommand, ListExperimentsCommand, StopExperimentCommand, type Experiment, type FisClient,
} from '@aws-sdk/client-fis';
import { fisClient, type AwsTarget } from '../aws/clients.js';
import type { Clock } from '../core/clock.js';
import type { JsonObject } from '../core/json.js';
import { waitFor } from '../runtime/wait.js';

/** The tag every experiment and template firedrill makes carries, so cleanup can find them. */
export const DRILL_TAG = 'firedrill:drill';

/** States an experiment never leaves. `cancelled` is newer than the SDK's enum, hence strings. */
const TERMINAL_STATES = new Set(['completed', 'stopped', 'failed', 'cancelled']);

export function isTerminal(status: string | undefined): boolean {
  return status !== undefined && TERMINAL_STATES.has(status);
}

export function statusOf(experiment: Experiment): string {
  return experiment.state?.status ?? 'unknown';
}

/** An AWS call that failed, named by operation and AWS error; throttling and 5xx were already retried by the client. */
export class FisCallError extends Error {
  constructor(readonly operation: string, readonly awsName: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FisCallError';
  }

}

export function isNotFound(error: unknown): boolean {
  return error instanceof FisCallError && error.awsName === 'ResourceNotFoundException';
}

/** Runs one FIS call; a failure says which operation on what, and what AWS answered. */
export async function callFis<T>(operation: string, subject: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    const awsName = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new FisCallError(operation, awsName, `fis:${operation} ${subject} failed: ${awsName}: ${message}`, { cause: error });
  }
}

export async function getExperiment(client: FisClient, id: string, abortSignal?: AbortSignal): Promise<Experiment> {
  const answer = await callFis('GetExperiment', `experiment=${id}`, () => client.send(new GetExperimentCommand({ id }), { abortSignal }));
  if (!answer.experiment) throw new Error(`fis:GetExperiment experiment=${id} answered without an experiment`);
  return answer.experiment;
}

export async function stopExperiment(client: FisClient, id: string, abortSignal?: AbortSignal): Promise<Experiment | undefined> {
  const answer = await callFis('StopExperiment', `experiment=${id}`, () => client.send(new StopExperimentCommand({ id }), { abortSignal }));
  return answer.experiment;
}

/** A GetExperiment answer and when what it shows first held: after `lower`, at or before `upper` (timeline ms). */
export interface ObservedExperiment {
  experiment: Experiment;
  lower: number;
  upper: number;
}

/**
 * Polls GetExperiment every `intervalMs` until `until` holds. The state it waits for began after
 * the previous poll was sent (or `sinceT` for the first) and before the poll that saw it answered.
 */
export async function pollExperiment(client: FisClient, id: string, options: {
  until(experiment: Experiment): boolean;
  sinceT: number;
  clock: Clock;
  timeoutMs: number;
  intervalMs: number;
  signal?: AbortSignal;
  what: string;
}): Promise<ObservedExperiment> {
  let lower = options.sinceT;
  let observed: ObservedExperiment | undefined;
  let last: Experiment | undefined;
  try {
    await waitFor(async () => {
      const sentT = options.clock.now();
      last = await getExperiment(client, id, options.signal);
      if (options.until(last)) {
        observed = { experiment: last, lower, upper: options.clock.now() };
        return true;
      }
      lower = sentT;
      return false;
    }, { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs, what: `FIS experiment ${id} ${options.what}`, signal: options.signal });
  } catch (error) {
    if (error instanceof FisCallError || options.signal?.aborted || !last) throw error;
    throw new Error(`${(error as Error).message}; it was last ${statusOf(last)}: ${reasonOf(last)}`, { cause: error });
  }
  return observed!;
}

/** FIS's reason for an experiment's state, with its `error` object when FIS gives one. */
export function reasonOf(experiment: Experiment): string {
  const state = experiment.state as { reason?: string; error?: unknown } | undefined;
  const reason = state?.reason ?? 'no reason given';
  return state?.error === undefined ? reason : `${reason} (error: ${JSON.stringify(state.error)})`;
}

/** The experiment as plain JSON (times as ISO strings), for evidence. */
export function experimentJson(experiment: Experiment): JsonObject {
  return JSON.parse(JSON.stringify(experiment)) as JsonObject;
}

/** GetExperiment's answer as JSON, for the runner to keep as evidence after revert. */
export async function describeExperiment(target: AwsTarget, id: string): Promise<JsonObject> {
  const client = fisClient(target);
  try {
    return experimentJson(await getExperiment(client, id));
  } finally {
    client.destroy();
  }
}

/** Ids of the experiments tagged with this drill, with their states, newest listing first. */
export async function listDrillExperiments(client: FisClient, drillId: string, abortSignal?: AbortSignal): Promise<{ id: string; status: string; templateId?: string }[]> {
  const found: { id: string; status: string; templateId?: string }[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const answer = await callFis('ListExperiments', `(tag ${DRILL_TAG}=${drillId})`, () =>
      client.send(new ListExperimentsCommand({ nextToken, maxResults: 100 }), { abortSignal }));
    for (const summary of answer.experiments ?? []) {
      if (summary.id && summary.tags?.[DRILL_TAG] === drillId) {
        found.push({ id: summary.id, status: summary.state?.status ?? 'unknown', ...(summary.experimentTemplateId ? { templateId: summary.experimentTemplateId } : {}) });
      }
    }
    nextToken = answer.nextToken;
    if (!nextToken) return found;
  }
  throw new Error(`fis:ListExperiments kept answering a nextToken after 1000 pages`);
}

/**
 * Stops every experiment tagged with this drill that has not ended; for `firedrill cleanup`,
 * which may not know an experiment's id (the drill died between StartExperiment and the journal).
 * Idempotent (skips experiments already stopping); does not wait for them to reach `stopped`.
 * Returns the ids it stopped.
 */
export async function stopExperimentsByDrillTag(target: AwsTarget, drillId: string): Promise<string[]> {
  const client = fisClient(target);
  try {
    const running = (await listDrillExperiments(client, drillId)).filter((e) => !isTerminal(e.status) && e.status !== 'stopping');
    for (const e of running) await stopExperiment(client, e.id);
    return running.map((e) => e.id);
  } finally {
    client.destroy();
  }
}
