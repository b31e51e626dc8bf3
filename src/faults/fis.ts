import { randomUUID } from 'node:crypto';
import {
  CreateExperimentTemplateCommand, DeleteExperimentTemplateCommand, GetExperimentTemplateCommand, ListExperimentTemplatesCommand, StartExperimentCommand,
  type Experiment, type FisClient,
} from '@aws-sdk/client-fis';
import { fisClient, recordingInto, type AwsTarget } from '../aws/clients.js';
import { timelineMsOf, type Clock } from '../core/clock.js';
import type { JsonObject } from '../core/json.js';
import { exactInstant, type Instant } from '../core/measurement.js';
import {
  DRILL_TAG, callFis, describeExperiment, experimentJson, getExperiment, isNotFound, isTerminal, listDrillExperiments, pollExperiment, reasonOf, statusOf, stopExperiment,
  type ObservedExperiment,
} from './fis-api.js';
import { experimentRoles, fisPermissions } from './fis-permissions.js';
import { createdTemplateOf, fisSettings, type FisSettings } from './fis-settings.js';
import type { ExperimentTemplate } from './fis-template.js';
import type { FaultContext, FaultKind } from './fault.js';

export { describeExperiment, stopExperimentsByDrillTag } from './fis-api.js';
export { fisSettings, type FisSettings } from './fis-settings.js';

/** What the journal keeps; `experimentId` is missing when the drill died before StartExperiment answered. */
interface FisState {
  region: string;
  templateId: string;
  createdTemplate: boolean;
  experimentId?: string;
}

type FaultSource = 'action-start-time' | 'observed-transition';

/**
 * An AWS FIS experiment as a fault. T_fault is the first action's `startTime` when FIS gives one
 * (when FIS acted), else the observed transition to `running`, bracketed by two polls.
 * Revert stops the experiment and deletes the template if firedrill created it.
 */
export function createFisFault(resolveTarget: (region: string) => AwsTarget): FaultKind<FisSettings> {
  const clientFor = (region: string, ctx: FaultContext) => fisClient(recordingInto(resolveTarget(region), ctx.awsChanges));

  return {
    kind: 'fis',
    settings: fisSettings,
    permissions: fisPermissions,
    serviceRoles: experimentRoles,

    plan(s) {
      const tag = `${DRILL_TAG}=<drill id>`;
      const created = createdTemplateOf(s);
      const create = created
        ? [`fis:CreateExperimentTemplate in ${s.region} (tagged ${tag}${describeExtras(created)}) actions: ${describeActions(created)}`]
        : [];
      const start = `fis:StartExperiment template=${s.template ?? '<the created template>'} (tagged ${tag}${s.experimentOptions?.actionsMode ? `, actionsMode ${s.experimentOptions.actionsMode}` : ''})`;
      const remove = created ? ['fis:DeleteExperimentTemplate (revert)'] : [];
      return [...create, start, 'fis:StopExperiment (revert)', ...remove];
    },

    async inject(s, ctx) {
      const client = clientFor(s.region, ctx);
      const created = createdTemplateOf(s);
      let state: FisState | undefined;
      try {
        // Remembered before the template exists: if we die mid-call, revert finds it by the drill's tag.
        if (created) await ctx.remember({ region: s.region, createdTemplate: true });
        const templateId = created ? await createTemplate(client, created, ctx) : s.template!;
        state = { region: s.region, templateId, createdTemplate: created !== undefined };
        await ctx.remember(toJson(state));
        const sentT = ctx.clock.now();
        const experimentId = await startExperiment(client, templateId, s, ctx);
        state = { ...state, experimentId };
        await ctx.remember(toJson(state));
        const running = await awaitRunning(client, experimentId, sentT, s, ctx);
        const { at, source, actionStartTimes } = faultInstantOf(ctx.clock, running, s.faultTime);
        ctx.log(`FIS experiment ${experimentId} (template ${templateId}) is running; T_fault from ${source}`);
        if (at.t < running.lower) {
          ctx.log(`FIS gives an action start ${Math.round(running.lower - at.t)}ms before firedrill last saw the experiment not running (clock skew, or an emulator that copies the experiment's start)`);
        }
        return {
          at,
          state: toJson(state),
          detail: {
            experimentId,
            templateId,
            createdTemplate: state.createdTemplate,
            tFaultSource: source,
            observedRunning: { lower: running.lower, upper: running.upper },
            actionStartTimes,
            experiment: experimentJson(running.experiment),
          },
        };
      } catch (error) {
        if (state) await undoPartialInject(client, state, ctx);
        throw error;
      } finally {
        client.destroy();
      }
    },

    async revert(s, journal, ctx) {
      const state = fromJson(journal, s);
      const client = clientFor(state.region, ctx);
      try {
        let ended: Instant | undefined;
        for (const id of await experimentsOf(client, state, ctx)) ended = await stopAndWait(client, id, s, ctx);
        for (const id of await createdTemplatesOf(client, state, ctx)) await deleteTemplate(client, id, ctx.signal);
        return ended;
      } finally {
        client.destroy();
      }
    },

    async evidence(s, journal) {
      const state = fromJson(journal, s);
      return state.experimentId ? describeExperiment(resolveTarget(state.region), state.experimentId) : {};
    },

    async verifyReverted(s, journal, ctx) {
      const state = fromJson(journal, s);
      const client = clientFor(state.region, ctx);
      try {
        for (const id of await experimentsOf(client, state, ctx)) {
          const experiment = await getExperiment(client, id, ctx.signal);
          if (!isTerminal(statusOf(experiment))) {
            throw new Error(`FIS experiment ${id} is still ${statusOf(experiment)}: expected completed, stopped, failed or cancelled`);
          }
        }
        for (const id of await createdTemplatesOf(client, state, ctx)) {
          if (await templateExists(client, id, ctx.signal)) throw new Error(`FIS experiment template ${id} that firedrill created still exists: expected it deleted`);
        }
      } finally {
        client.destroy();
      }
    },
  };
}

/** FIS through the default credential chain and AWS_ENDPOINT_URL*; the runner uses `createFisFault` with its environment. */
export const fisFault: FaultKind<FisSettings> = createFisFault((region) => ({ region }));

function describeActions(template: ExperimentTemplate): string {
  return Object.entries(template.actions).map(([name, a]) => `${name} (${a.actionId})`).join(', ');
}

function describeExtras(template: ExperimentTemplate): string {
  const tags = Object.entries(template.tags ?? {}).map(([k, v]) => `${k}=${v}`);
  const logs = template.logConfiguration?.cloudWatchLogsConfiguration?.logGroupArn ?? template.logConfiguration?.s3Configuration?.bucketName;
  return `${tags.length ? `, ${tags.join(', ')}` : ''}${logs ? `; logs to ${logs}` : ''}`;
}

function drillTags(ctx: FaultContext): Record<string, string> {
  return { [DRILL_TAG]: ctx.drillId };
}

async function createTemplate(client: FisClient, template: ExperimentTemplate, ctx: FaultContext): Promise<string> {
  const { experimentReportConfiguration, clientToken: _theirs, ...input } = template;
  const command = new CreateExperimentTemplateCommand({
    ...input,
    description: template.description ?? `firedrill drill ${ctx.drillId}`,
    clientToken: randomUUID(),
    tags: { ...template.tags, ...drillTags(ctx) },
  });
  if (experimentReportConfiguration) addToBody(command, { experimentReportConfiguration });
  const answer = await callFis('CreateExperimentTemplate', `(${describeActions(template)})`, () => client.send(command, { abortSignal: ctx.signal }));
  const id = answer.experimentTemplate?.id;
  if (!id) throw new Error('fis:CreateExperimentTemplate answered without an experiment template id');
  return id;
}

async function startExperiment(client: FisClient, templateId: string, s: FisSettings, ctx: FaultContext): Promise<string> {
  const command = new StartExperimentCommand({ experimentTemplateId: templateId, clientToken: randomUUID(), tags: drillTags(ctx) });
  if (s.experimentOptions) addToBody(command, { experimentOptions: s.experimentOptions });
  const answer = await callFis('StartExperiment', `template=${templateId}`, () => client.send(command, { abortSignal: ctx.signal }));
  const id = answer.experiment?.id;
  if (!id) throw new Error(`fis:StartExperiment template=${templateId} answered without an experiment id`);
  return id;
}

/**
 * @aws-sdk/client-fis 3.523 predates StartExperiment's `experimentOptions` and
 * CreateExperimentTemplate's `experimentReportConfiguration`, and drops them when it serializes;
 * this puts them back into the JSON body before the request is signed.
 */
function addToBody(command: StartExperimentCommand | CreateExperimentTemplateCommand, extra: Record<string, unknown>): void {
  // The body is rewritten as text, whatever the command's input type: one stack type serves both.
  (command.middlewareStack as StartExperimentCommand['middlewareStack']).add((next) => async (args) => {
    const request = args.request as { body?: unknown };
    if (typeof request.body === 'string') request.body = JSON.stringify({ ...JSON.parse(request.body || '{}'), ...extra });
    return next(args);
  }, { step: 'build', priority: 'high', name: 'firedrillAddToBody' });
}

/** Until the experiment runs (or one of its actions does); it ending first is an error carrying FIS's reason. */
async function awaitRunning(client: FisClient, id: string, sinceT: number, s: FisSettings, ctx: FaultContext): Promise<ObservedExperiment> {
  const observed = await pollExperiment(client, id, {
    until: (e) => isRunning(e) || isTerminal(statusOf(e)) || statusOf(e) === 'stopping',
    sinceT,
    clock: ctx.clock,
    timeoutMs: s.startTimeout,
    intervalMs: s.pollInterval,
    signal: ctx.signal,
    what: 'to reach running (startTimeout)',
  });
  if (!isRunning(observed.experiment)) {
    const status = statusOf(observed.experiment);
    throw new Error(`FIS experiment ${id} ${isTerminal(status) ? 'ended' : 'is'} ${status} before it was running: ${reasonOf(observed.experiment)}`);
  }
  return observed;
}

function isRunning(experiment: Experiment): boolean {
  return statusOf(experiment) === 'running' || Object.values(experiment.actions ?? {}).some((a) => a.state?.status === 'running');
}

function faultInstantOf(clock: Clock, observed: ObservedExperiment, preferred: FaultSource): { at: Instant; source: FaultSource; actionStartTimes: Record<string, string> } {
  const started = Object.entries(observed.experiment.actions ?? {}).filter((entry): entry is [string, { startTime: Date }] => entry[1].startTime instanceof Date);
  const actionStartTimes = Object.fromEntries(started.map(([name, a]) => [name, a.startTime.toISOString()]));
  if (started.length > 0 && preferred === 'action-start-time') {
    const first = Math.min(...started.map(([, a]) => a.startTime.getTime()));
    return { at: exactInstant(timelineMsOf(clock, first)), source: 'action-start-time', actionStartTimes };
  }
  return { at: { t: observed.upper, lower: observed.lower, upper: observed.upper }, source: 'observed-transition', actionStartTimes };
}

/** After a failed inject: stop what was started and delete what was created; revert will try again if this fails. */
async function undoPartialInject(client: FisClient, state: FisState, ctx: FaultContext): Promise<void> {
  try {
    if (state.experimentId && !isTerminal(statusOf(await getExperiment(client, state.experimentId)))) await stopExperiment(client, state.experimentId);
    if (state.createdTemplate) await deleteTemplate(client, state.templateId);
  } catch (error) {
    ctx.log(`cleaning up after the failed FIS inject failed too (revert will retry): ${(error as Error).message}`);
  }
}

/** The experiments to stop: the one the journal names, else any this drill started from the template. */
async function experimentsOf(client: FisClient, state: FisState, ctx: FaultContext): Promise<string[]> {
  if (state.experimentId) return [state.experimentId];
  if (!state.templateId) return [];
  const tagged = await listDrillExperiments(client, ctx.drillId, ctx.signal);
  return tagged.filter((e) => e.templateId === state.templateId).map((e) => e.id);
}

/** Stops the experiment unless it has ended; when it ended: FIS's endTime, else the observed transition. */
async function stopAndWait(client: FisClient, id: string, s: FisSettings, ctx: FaultContext): Promise<Instant | undefined> {
  let experiment: Experiment;
  try {
    experiment = await getExperiment(client, id, ctx.signal);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  let observed: ObservedExperiment | undefined;
  if (!isTerminal(statusOf(experiment))) {
    const sentT = ctx.clock.now();
    await stopExperiment(client, id, ctx.signal);
    observed = await pollExperiment(client, id, {
      until: (e) => isTerminal(statusOf(e)),
      sinceT: sentT,
      clock: ctx.clock,
      timeoutMs: s.stopTimeout,
      intervalMs: s.pollInterval,
      signal: ctx.signal,
      what: 'to reach stopped (stopTimeout)',
    });
    experiment = observed.experiment;
  }
  ctx.log(`FIS experiment ${id} is ${statusOf(experiment)}`);
  if (experiment.endTime) return exactInstant(timelineMsOf(ctx.clock, experiment.endTime));
  return observed && { t: observed.upper, lower: observed.lower, upper: observed.upper };
}

/** The templates this drill created: the one the journal names, else any tagged with the drill. */
async function createdTemplatesOf(client: FisClient, state: FisState, ctx: FaultContext): Promise<string[]> {
  if (!state.createdTemplate) return [];
  if (state.templateId) return [state.templateId];
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callFis('ListExperimentTemplates', `tagged ${DRILL_TAG}=${ctx.drillId}`, () => client.send(new ListExperimentTemplatesCommand({ nextToken }), { abortSignal: ctx.signal }));
    ids.push(...(page.experimentTemplates ?? []).filter((t) => t.tags?.[DRILL_TAG] === ctx.drillId).map((t) => t.id!));
    nextToken = page.nextToken;
  } while (nextToken);
  return ids;
}

async function deleteTemplate(client: FisClient, id: string, abortSignal?: AbortSignal): Promise<void> {
  try {
    await callFis('DeleteExperimentTemplate', `template=${id}`, () => client.send(new DeleteExperimentTemplateCommand({ id }), { abortSignal }));
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

async function templateExists(client: FisClient, id: string, abortSignal?: AbortSignal): Promise<boolean> {
  try {
    await callFis('GetExperimentTemplate', `template=${id}`, () => client.send(new GetExperimentTemplateCommand({ id }), { abortSignal }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

function toJson(state: FisState): JsonObject {
  return { ...state };
}

/** The journal's values win: they name what was really created. */
function fromJson(journal: JsonObject, s: FisSettings): FisState {
  const text = (key: string) => (typeof journal[key] === 'string' ? (journal[key] as string) : undefined);
  const experimentId = text('experimentId');
  return {
    region: text('region') ?? s.region,
    templateId: text('templateId') ?? s.template ?? '',
    createdTemplate: journal['createdTemplate'] === true,
    ...(experimentId ? { experimentId } : {}),
  };
}
