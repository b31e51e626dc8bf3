// A process that writes a timeline as a drill does, until it is killed: a sample every 2 ms,
// a phase event every 100th, each announced on stdout ("appended <k> <t>") once it was appended.
import { createClock } from '../../src/core/clock.js';
import { TimelineFile } from '../../src/runner/timeline-file.js';

const clock = createClock();
const file = new TimelineFile(clock);
file.open(process.argv[2]!);
let k = 0;
const next = () => {
  const t = clock.now();
  if (k % 100 === 99) file.write({ kind: 'phase', t, phase: 'observe', state: 'start', detail: `k=${k}` });
  else file.write({ kind: 'sample', t, probe: 'app', ok: true, latencyMs: k });
  process.stdout.write(`appended ${k} ${t}\n`);
  k++;
  setTimeout(next, 2);
};
next();
