import { z } from 'zod';
import { durationMs } from '../scenario/fields.js';
import { experimentTemplateSettings, unwrapExport, type ExperimentTemplate } from './fis-template.js';

/**
 * The settings of an FIS fault: an existing experiment template (`template`), or one firedrill
 * creates for the drill and deletes on revert, written in the scenario (`inlineTemplate`) or kept
 * as a JSON file (`templateFile`, read from the scenario's folder with `${vars.x}` filled).
 */
export const fisSettings = z.strictObject({
  region: z.string().min(1),
  /** The id of an existing experiment template (EXT…); firedrill never deletes it. */
  template: z.string().min(1).optional(),
  inlineTemplate: experimentTemplateSettings.optional(),
  /** The file's content, put here by the loader; an exported `{ experimentTemplate: {…} }` is unwrapped. */
  templateFile: z.preprocess(unwrapExport, experimentTemplateSettings).optional(),
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
  const given = (['template', 'inlineTemplate', 'templateFile'] as const).filter((key) => s[key] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['template'],
      message: `expected exactly one of "template" (an existing experiment template id), "inlineTemplate" or "templateFile", got ${given.length ? given.join(' and ') : 'none'}`,
    });
  }
});

export type FisSettings = z.output<typeof fisSettings>;

/** The template firedrill creates for the drill, if it creates one. */
export function createdTemplateOf(s: FisSettings): ExperimentTemplate | undefined {
  return s.inlineTemplate ?? s.templateFile;
}
