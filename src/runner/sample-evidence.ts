import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TimelineEvent } from '../core/timeline.js';
import { artifactOf, type Artifact } from './result.js';

/**
 * Every file that samples attached as evidence (a failed journey's screenshot and log), as
 * artifacts with their SHA-256, for `result.json`. A file listed by several samples (samples
 * that shared one journey run) is listed once.
 */
export function sampleEvidenceArtifacts(outDir: string, events: readonly TimelineEvent[]): Artifact[] {
  const files = new Set<string>();
  for (const event of events) if (event.kind === 'sample') for (const file of event.evidence ?? []) files.add(file);
  return [...files].filter((file) => existsSync(join(outDir, file))).map((file) => artifactOf(outDir, file));
}
