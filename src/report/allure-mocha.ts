import { getGlobalTestRuntime, type TestRuntime } from 'allure-js-commons/sdk/runtime';
import type { RuntimeMessage } from 'allure-js-commons/sdk';
import type { Status } from 'allure-js-commons';
import type { DrillResult } from '../runner/result.js';
import { drillAttachments } from './allure.js';
import { allureTestOf, type AllureStep } from './allure-steps.js';
import { readDrillOutput } from './drill-output.js';

/**
 * For a TypeScript drill run by mocha with the allure-mocha reporter: puts the drill on the
 * current test as allure results, the same as `firedrill run` writes them — phase and milestone
 * steps back-dated to the timeline's own times (runtime messages: `allure.step()` would time them
 * now), labels, links, parameters and every file of the drill's output folder as attachments.
 * Without the allure reporter the runtime is a no-op one that cannot take messages: then this
 * does nothing.
 *
 *   const result = await runScenario(scenario, { environment, outDir });
 *   await reportToAllure(result, { outDir });
 */
export async function reportToAllure(result: DrillResult, options: { outDir: string }): Promise<void> {
  const runtime = getGlobalTestRuntime() as TestRuntime & { sendMessage?(message: RuntimeMessage): Promise<void> };
  if (typeof runtime.sendMessage !== 'function') return;
  const send = runtime.sendMessage.bind(runtime);
  const drill = { ...readDrillOutput(options.outDir), result };
  const test = allureTestOf(result, drill.events);
  await runtime.labels(...test.labels);
  await runtime.links(...test.links);
  for (const p of test.parameters) await runtime.parameter(p.name, p.value);
  const sendStep = async (step: AllureStep): Promise<void> => {
    await send({ type: 'step_start', data: { name: step.name, start: step.start } });
    if (step.parameters.length) await send({ type: 'step_metadata', data: { parameters: step.parameters } });
    for (const child of step.steps) await sendStep(child);
    await send({ type: 'step_stop', data: { stop: step.stop, status: step.status as Status } });
  };
  for (const step of test.steps) await sendStep(step);
  for (const a of await drillAttachments(drill)) {
    if ('path' in a) await runtime.attachmentFromPath(a.name, a.path, { contentType: a.type });
    else await runtime.attachment(a.name, a.content, { contentType: a.type });
  }
}
