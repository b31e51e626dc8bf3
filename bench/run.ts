import { parseArgs } from 'node:util';
import { spawnBench } from './child.js';

/*
 * Every benchmark part, one after another, each in its own process: `npm run bench`
 * [-- --long] [--runs N]. `--long` makes the probe engine's drift run last 10 minutes and the
 * long drill an hour (2 minutes without it);
 * `--runs` sets the accuracy drills per strategy and interval. Exits 1 if any part failed.
 */
const { values } = parseArgs({ options: { long: { type: 'boolean', default: false }, runs: { type: 'string', default: '1' } } });

const PARTS: { title: string; script: string; args: string[] }[] = [
  { title: 'accuracy', script: './accuracy.ts', args: ['--runs', values.runs] },
  { title: 'probe engine', script: './probe-engine.ts', args: values.long ? ['--long'] : [] },
  { title: 'core at scale', script: './core-at-scale.ts', args: [] },
  { title: 'long drill', script: './long-drill.ts', args: values.long ? [] : ['--minutes', '2'] },
  { title: 'reports at scale', script: './reports-at-scale.ts', args: [] },
];

const failed: string[] = [];
for (const part of PARTS) {
  console.log(`\n=== ${part.title} ===\n`);
  const started = Date.now();
  const child = spawnBench(part.script, part.args);
  child.stdout!.pipe(process.stdout);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  console.log(`\n(${part.title}: ${((Date.now() - started) / 1000).toFixed(0)}s${code === 0 ? '' : `, exit ${code}`})`);
  if (code !== 0) failed.push(part.title);
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
