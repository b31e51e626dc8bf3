import { spawnSync } from 'node:child_process';

/**
 * poppler-utils (`pdftotext`, `pdftoppm`): how the tests read a compliance PDF back, and how a
 * person looks at its pages. Not on a fresh machine: `firedrill setup` installs the Debian
 * package when it runs as root with apt-get, and says what to do otherwise.
 */
export function ensurePdfTools(log: (line: string) => void): boolean {
  if (has('pdftotext')) return true;
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    log('PDF tools: pdftotext not found; install poppler-utils (apt-get install poppler-utils) to read compliance PDFs back');
    return false;
  }
  log('installing poppler-utils (pdftotext, pdftoppm) with apt-get (once)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'poppler-utils']]) {
    const run = spawnSync('apt-get', args, { env, encoding: 'utf8', timeout: 600_000 });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed: ${run.stderr || run.stdout}`);
  }
  return has('pdftotext');
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}
