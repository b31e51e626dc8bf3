import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { artifactOf, type Artifact } from './result.js';

/**
 * Every file that samples attached as evidence (a failed journey's screenshot and log), as
 * artifacts with their SHA-256, for `result.json`. A file listed by several samples (samples
 * that shared one journey run) is listed once.
 */
export function sampleEvidenceArtifacts(outDir: string, files: ReadonlySet<string>): Artifact[] {
  return [...files].filter((file) => existsSync(join(outDir, file))).map((file) => artifactOf(outDir, file));
}
