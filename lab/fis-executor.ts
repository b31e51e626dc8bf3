import { GetExperimentCommand, ListExperimentsCommand, type Experiment, type FisClient } from '@aws-sdk/client-fis';
import type { GroundTruth } from './ground-truth.js';

/**
 * The emulator records FIS experiments but never runs their actions. While an experiment is
 * `running`, the lab's executor applies each action it understands to lab resources, and undoes
 * it when the experiment leaves `running` (stopped, completed, failed) — so a drill's FIS fault
 * really breaks the lab, some time after FIS says the action started, as in AWS.
 */
export interface LabFisAction {
  /** What this lab resource answers to, e.g. an action on the primary subnet. */
  matches(action: { actionId: string; parameters: Record<string, string>; resourceArns: string[] }): boolean;
  apply(): void;
  undo(): void;
}

export const LAB_SUBNET_ARNS = {
  primary: 'arn:aws:ec2:us-east-1:123456789012:subnet/subnet-lab-primary',
  recovery: 'arn:aws:ec2:us-west-2:123456789012:subnet/subnet-lab-recovery',
};

/** `aws:network:disrupt-connectivity` on the subnet, or the SSM network-blackhole document. */
export function regionOutageAction(subnetArn: string, apply: () => void, undo: () => void): LabFisAction {
  return {
    matches: ({ actionId, parameters, resourceArns }) =>
      (actionId === 'aws:network:disrupt-connectivity' && resourceArns.includes(subnetArn)) ||
      (actionId === 'aws:ssm:send-command' && (parameters.documentArn ?? '').includes('AWSFIS-Run-Network-Blackhole-Port')),
    apply,
    undo,
  };
}

export interface FisExecutor {
  stop(): Promise<void>;
}

function actionsOf(experiment: Experiment) {
  const targets = experiment.targets ?? {};
  return Object.values(experiment.actions ?? {}).map((action) => ({
    actionId: action.actionId ?? '',
    parameters: action.parameters ?? {},
    resourceArns: Object.values(action.targets ?? {}).flatMap((target) => targets[target]?.resourceArns ?? []),
  }));
}

export function startFisExecutor(options: { fis: FisClient; pollMs: number; actions: LabFisAction[]; truth: GroundTruth }): FisExecutor {
  const applied = new Map<string, LabFisAction[]>();
  let stopped = false;

  const poll = async () => {
    const listed = await options.fis.send(new ListExperimentsCommand({}));
    for (const summary of listed.experiments ?? []) {
      const id = summary.id!;
      const isApplied = applied.has(id);
      if (!isApplied && summary.state?.status !== 'running') continue;
      const { experiment } = await options.fis.send(new GetExperimentCommand({ id }));
      const running = experiment?.state?.status === 'running';
      if (running && !isApplied) {
        const matched = options.actions.filter((lab) => actionsOf(experiment!).some((a) => lab.matches(a)));
        for (const lab of matched) lab.apply();
        applied.set(id, matched);
        if (matched.length) options.truth.record('fault-on', Date.now(), { experiment: id });
      } else if (!running && isApplied) {
        for (const lab of applied.get(id)!) lab.undo();
        if (applied.get(id)!.length) options.truth.record('fault-off', Date.now(), { experiment: id, state: experiment?.state?.status });
        applied.delete(id);
      }
    }
  };

  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      await poll().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + options.pollMs - Date.now())));
    }
  })();

  return {
    async stop() {
      stopped = true;
      await loop;
      for (const actions of applied.values()) for (const lab of actions) lab.undo();
    },
  };
}
