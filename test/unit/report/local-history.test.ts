import { expect } from 'chai';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { localHistory } from '../../../src/report/local-history.js';
import { createTempDir } from '../../support/temp-dir.js';

describe('the local history file', () => {
  it('finds its newest record from the end of the file, whatever the records’ sizes', async () => {
    const dir = createTempDir('local-history');
    try {
      const file = join(dir.path, 'history.ndjson');
      const store = localHistory(file);
      expect(await store.newest()).to.equal(undefined);
      const record = (seq: number, padding: number) => JSON.stringify({ seq, note: 'é'.repeat(padding) });
      for (const [seq, padding] of [[1, 10], [2, 100_000], [3, 70_000], [4, 5]] as const) {
        expect(await store.create(seq, record(seq, padding))).to.equal(true);
        expect((await store.newest())!.body).to.equal(record(seq, padding));
      }
      expect(await store.create(4, record(4, 1))).to.equal(false); // that place is taken
      appendFileSync(file, '\n\n'); // blank lines at the end are not a record
      expect(JSON.parse((await store.newest())!.body).seq).to.equal(4);
      expect((await store.read()).map((r) => JSON.parse(r.body).seq)).to.deep.equal([1, 2, 3, 4]);
    } finally {
      dir.remove();
    }
  });
});
