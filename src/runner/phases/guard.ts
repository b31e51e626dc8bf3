import type { DrillContext } from '../drill-context.js';
import { DrillAbort } from '../guardrails.js';
import type { Task } from '../task-runner.js';

/** From the first moment to the last: an interrupt or the maximum duration stops the drill. */
export function guard(): Task<DrillContext> {
  let timer: NodeJS.Timeout | undefined;
  let onInterrupt = () => {};
  return {
    title: 'guard',
    async setup(ctx) {
      const { interrupt } = ctx;
      onInterrupt = () => ctx.stop(new DrillAbort(String(interrupt?.reason ?? 'interrupted'), 'interrupt'));
      interrupt?.addEventListener('abort', onInterrupt, { once: true });
      if (interrupt?.aborted) onInterrupt();
      const { maxDuration } = ctx.spec.guardrails;
      timer = setTimeout(() => ctx.stop(new DrillAbort(`maximum duration of ${maxDuration}ms reached`, 'maxDuration')), maxDuration);
    },
    async teardown(ctx) {
      clearTimeout(timer);
      ctx.interrupt?.removeEventListener('abort', onInterrupt);
    },
  };
}
