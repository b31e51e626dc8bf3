import { expect } from 'chai';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../support/capture-io.js';

describe('firedrill <command> --help', () => {
  for (const command of ['run', 'plan', 'validate', 'cleanup', 'approve', 'note', 'lesson', 'signoff', 'lab']) {
    it(`${command} --help prints its own usage and exits 0`, async () => {
      const { io, text } = captureIo(process.cwd());
      expect(await main([command, '--help'], io)).to.equal(0);
      const lines = text().split('\n').filter((l) => l.startsWith('  firedrill '));
      expect(lines.length).to.be.at.least(1);
      expect(lines.every((l) => l.startsWith(`  firedrill ${command} `))).to.equal(true);
      expect(text()).to.include('common options: --config FILE');
    });
  }
});
