import { isDeepStrictEqual, parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { deriveResult } from './engine-adapter.js';
import { generateTimeline, planOf } from './generated-timeline.js';
import { formatTable, mb, ms } from './stats.js';

/*
 * The core at scale: a generated one-hour timeline (100 probes × 10 Hz, 3.6 million samples,
 * with a fault, two alarms and recovery) taken through milestones, measurements and the result,
 * in this process alone so its peak RSS is the core's. The reference is one plain pass over the
 * same events in the same run. Exits 1 if the milestones differ from the ones planted.
 *
 *   npm run bench:core-at-scale [-- --probes 100] [--hz 10] [--minutes 60]
 */
const { values } = parseArgs({
  options: {
    probes: { type: 'string', default: '100' },
    hz: { type: 'string', default: '10' },
    minutes: { type: 'string', default: '60' },
  },
});
const rss = () => process.memoryUsage.rss();
const rssBefore = rss();

const plan = planOf(Number(values.probes), 1000 / Number(values.hz), Number(values.minutes) * 60_000);
const g0 = performance.now();
const timeline = generateTimeline(plan);
const generateMs = performance.now() - g0;
const rssHolding = rss();
const samples = timeline.events.filter((e) => e.kind === 'sample').length;

const p0 = performance.now();
let good = 0;
for (const e of timeline.events) if (e.kind === 'sample' && e.ok) good++;
const passMs = performance.now() - p0;

const derived = deriveResult(timeline.events, timeline.rules, { observeEnd: timeline.observeEnd, targets: [{ name: 'rto', budget: 30_000, source: 'rto 30s' }] });
const total = derived.took.milestones + derived.took.measurements + derived.took.result;
const planted = (Object.keys(timeline.expected) as (keyof typeof timeline.expected)[]).every((name) => isDeepStrictEqual(derived.milestones[name], timeline.expected[name]));

console.log(`core at scale: ${plan.probes} probes × ${values.hz} Hz × ${values.minutes} min = ${samples.toLocaleString('en')} samples (${timeline.events.length.toLocaleString('en')} events); reference: one pass over them counting ${good.toLocaleString('en')} good samples took ${ms(passMs)}`);
console.log(formatTable(['step', 'time', 'per sample', 'x one pass'], [
  ['append to the timeline, milestones kept as events arrive', ms(derived.took.milestones), `${(derived.took.milestones * 1e6 / samples).toFixed(0)} ns`, (derived.took.milestones / passMs).toFixed(1)],
  ['measurements (measure)', ms(derived.took.measurements), `${(derived.took.measurements * 1e6 / samples).toFixed(0)} ns`, (derived.took.measurements / passMs).toFixed(1)],
  ['result (verdicts, sample counts, JSON)', ms(derived.took.result), `${(derived.took.result * 1e6 / samples).toFixed(0)} ns`, (derived.took.result / passMs).toFixed(1)],
  ['all three', ms(total), `${(total * 1e6 / samples).toFixed(0)} ns`, (total / passMs).toFixed(1)],
]));
console.log(formatTable(['memory', 'RSS'], [
  ['before generating', mb(rssBefore)],
  ['the generated input, every event an object (the bench only)', `${mb(rssHolding)} (+${mb(rssHolding - rssBefore)}, ${((rssHolding - rssBefore) / samples).toFixed(0)} bytes per sample)`],
  ['peak (maxRSS) through the result', mb(process.resourceUsage().maxRSS * 1024)],
]));
console.log(`generating took ${ms(generateMs)}; RTO ${ms(derived.measurements.rtoMs?.value ?? NaN)}; milestones as planted: ${planted ? 'yes' : 'NO'}`);
if (!planted) {
  console.error(`expected milestones ${JSON.stringify(timeline.expected)}, derived ${JSON.stringify(derived.milestones)}`);
  process.exitCode = 1;
}
