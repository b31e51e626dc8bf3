import type { PhaseName, TimelineEvent } from '../core/timeline.js';
import { untilAborted } from '../runtime/wait.js';
import type { ArtifactsEvent, ChangeGateEvent, DrillEndEvent, DrillInfo, DrillPlugin } from './plugin.js';

/**
 * Calls the drill's plugins, in order. A gate that throws stops the drill (what it threw decides
 * between aborted and errored); any other hook that throws is logged and the drill goes on.
 */
export class PluginHost {
  constructor(private readonly plugins: readonly DrillPlugin[], private readonly log: (line: string) => void) {}

  notify(drill: DrillInfo, event: TimelineEvent): void {
    for (const plugin of this.plugins) {
      if (!plugin.onEvent) continue;
      try {
        plugin.onEvent({ drill, event });
      } catch (error) {
        this.log(`plugin ${plugin.name}: onEvent failed: ${(error as Error).message}`);
      }
    }
  }

  async beforePhase(drill: DrillInfo, phase: PhaseName, signal: AbortSignal): Promise<void> {
    for (const plugin of this.plugins) {
      if (plugin.beforePhase) await this.gate(() => plugin.beforePhase!({ drill, phase, signal }), signal);
    }
  }

  async beforeChange(drill: DrillInfo, change: ChangeGateEvent['change'], signal: AbortSignal): Promise<void> {
    for (const plugin of this.plugins) {
      if (plugin.beforeChange) await this.gate(() => plugin.beforeChange!({ drill, change, signal }), signal);
    }
  }

  async artifacts(event: ArtifactsEvent): Promise<void> {
    for (const plugin of this.plugins) if (plugin.artifacts) await this.settle(plugin, 'artifacts', () => plugin.artifacts!(event));
  }

  async end(event: DrillEndEvent): Promise<void> {
    for (const plugin of this.plugins) if (plugin.onEnd) await this.settle(plugin, 'onEnd', () => plugin.onEnd!(event));
  }

  private async gate(hook: () => void | Promise<void>, signal: AbortSignal): Promise<void> {
    await untilAborted(Promise.resolve().then(hook), signal);
  }

  private async settle(plugin: DrillPlugin, hook: string, call: () => void | Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.log(`plugin ${plugin.name}: ${hook} failed: ${(error as Error).message}`);
    }
  }
}
