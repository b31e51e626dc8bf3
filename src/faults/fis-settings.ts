import { z } from 'zod';
import { durationMs } from '../scenario/fields.js';

/**
 * The settings of an FIS fault: an existing experiment template (`template`) or one firedrill
 * creates for the drill and deletes on revert (`inlineTemplate`, shaped like
 * CreateExperimentTemplate's input).
 */
const stringMap = z.record(z.string(), z.string());

const actionSettings = z.strictObject({
  actionId: z.string().min(1),
  description: z.string().optional(),
  parameters: stringMap.optional(),
  targets: stringMap.optional(),
  startAfter: z.array(z.string().min(1)).optional(),
});

const targetSettings = z.strictObject({
  resourceType: z.string().min(1),
  resourceArns: z.array(z.string().min(1)).optional(),
  resourceTags: stringMap.optional(),
  filters: z.array(z.strictObject({ path: z.string().min(1), values: z.array(z.string()) })).optional(),
  selectionMode: z.string().min(1),
  parameters: stringMap.optional(),
});

const inlineTemplateSettings = z.strictObject({
  /** Default: "firedrill drill <drill id>". */
  description: z.string().optional(),
  actions: z.record(z.string(), actionSettings),
  targets: z.record(z.string(), targetSettings).optional(),
  /** FIS requires at least one; `none` means the experiment has no stop condition. */
  stopConditions: z.array(z.strictObject({ source: z.string().min(1), value: z.string().optional() })).default([{ source: 'none' }]),
  roleArn: z.string().min(1),
  experimentOptions: z.strictObject({
    accountTargeting: z.enum(['single-account', 'multi-account']).optional(),
    emptyTargetResolutionMode: z.enum(['fail', 'skip']).optional(),
  }).optional(),
});

export const fisSettings = z.strictObject({
  region: z.string().min(1),
  /** The id of an existing experiment template (EXT…); firedrill never deletes it. */
  template: z.string().min(1).optional(),
  inlineTemplate: inlineTemplateSettings.optional(),
  /** `skip-all` is FIS's dry run: the experiment runs, its actions do not. */
  experimentOptions: z.strictObject({ actionsMode: z.enum(['skip-all', 'run-all']).optional() }).optional(),
  pollInterval: durationMs.default(1_000),
  /**
   * Where T_fault comes from: FIS's action start times (default), or the observed transition to
   * `running` — for emulators whose action start times are not real (moto copies the experiment's).
   */
  faultTime: z.enum(['action-start-time', 'observed-transition']).default('action-start-time'),
  /** How long the experiment may take to reach `running` before inject stops it and fails. */
  startTimeout: durationMs.default(60_000),
  /** How long revert waits for the experiment to reach a terminal state after StopExperiment. */
  stopTimeout: durationMs.default(300_000),
}).superRefine((s, ctx) => {
  if ((s.template === undefined) === (s.inlineTemplate === undefined)) {
    const found = s.template === undefined ? 'neither' : 'both';
    ctx.addIssue({
      code: 'custom',
      path: ['template'],
      message: `expected exactly one of "template" (an existing experiment template id) or "inlineTemplate", got ${found}`,
    });
  }
});

export type FisSettings = z.output<typeof fisSettings>;
export type InlineTemplate = z.output<typeof inlineTemplateSettings>;
