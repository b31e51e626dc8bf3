import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';

/** What a journey step gets: a page in a fresh browser context, used for this one sample. */
export interface JourneyContext {
  page: Page;
  /** The probe's `url`: where the journey starts. */
  url: string;
  /** Different for every sample: something a journey can write and then look for. */
  sampleId: string;
}

export interface JourneyStep {
  /** Names the step in the timeline, in the evidence and in a failure ("sign in", "save order"). */
  name: string;
  /** Throws (a Playwright timeout, a failed expectation) when the user could not do this. */
  run(ctx: JourneyContext): Promise<void>;
}

/** A user's walk through the application, step by step: a `*.journey.ts` module's default export. */
export interface Journey {
  description?: string;
  steps: JourneyStep[];
}

/** Types a journey module: `export default defineJourney({ steps: [...] })`. */
export function defineJourney(journey: Journey): Journey {
  return journey;
}

/** Imports a journey module (a path relative to the working directory), checking its shape. */
export async function loadJourney(path: string): Promise<Journey> {
  const file = resolve(path);
  if (!existsSync(file)) throw new Error(`journey ${path}: no such file`);
  const module = (await import(pathToFileURL(file).href)) as { default?: Partial<Journey> };
  const journey = module.default;
  if (!journey || !Array.isArray(journey.steps) || journey.steps.length === 0) {
    throw new Error(`journey ${path}: expected a default export made with defineJourney({ steps: [{ name, run }] })`);
  }
  journey.steps.forEach((step, i) => {
    if (typeof step?.name !== 'string' || typeof step.run !== 'function') throw new Error(`journey ${path}: steps[${i}]: expected { name: string, run(ctx) }`);
  });
  return journey as Journey;
}
