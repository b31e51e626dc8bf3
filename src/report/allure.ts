import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { RecordedTimeline } from '../core/timeline.js';
import type { DrillPlugin } from '../runner/plugin.js';
import { allureTestOf } from './allure-steps.js';
import type { DrillOutput } from './drill-output.js';
import { CHART_FILE, drawTimelineChart } from './chart-plugin.js';

/**
 * A file the allure test carries: `result.json`, the timeline, the chart, every evidence file.
 * Files of the drill's folder are copied from where they are (an hour-long drill's timeline is
 * hundreds of megabytes, never read into memory); only a chart drawn here has its content.
 */
export type DrillAttachment = { name: string; type: string } & ({ path: string } | { content: Buffer });

const CONTENT_TYPES: Record<string, string> = { '.json': 'application/json', '.ndjson': 'application/x-ndjson', '.svg': 'image/svg+xml', '.png': 'image/png', '.xml': 'application/xml', '.html': 'text/html', '.txt': 'text/plain' };

/** A drill as the allure writers read it: its folder and result, and its timeline (read back, or the drill's own). */
export type AllureDrill = Pick<DrillOutput, 'dir' | 'resultFile' | 'result'> & RecordedTimeline;

export async function drillAttachments(drill: AllureDrill): Promise<DrillAttachment[]> {
  const files = new Map<string, DrillAttachment>();
  const add = (name: string, from: { path: string } | { content: Buffer }) => files.set(name, { name, type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream', ...from });
  add('result.json', { path: drill.resultFile });
  for (const artifact of drill.result.artifacts) {
    const path = join(drill.dir, artifact.path);
    if (existsSync(path)) add(artifact.path, { path });
  }
  // A drill run before the chart plugin was wired in has none: draw it.
  if (!files.has(CHART_FILE)) add(CHART_FILE, { content: Buffer.from(await drawTimelineChart(drill.result, drill)) });
  return [...files.values()];
}

/** Writes the drill as one allure test result (`<uuid>-result.json` and its attachments) into `resultsDir`. */
export async function writeAllureResult(resultsDir: string, drill: AllureDrill): Promise<string> {
  mkdirSync(resultsDir, { recursive: true });
  const uuid = randomUUID();
  const attachments = (await drillAttachments(drill)).map((a, i) => {
    const source = `${uuid}-attachment-${i}${extname(a.name) || '.bin'}`;
    if ('path' in a) copyFileSync(a.path, join(resultsDir, source));
    else writeFileSync(join(resultsDir, source), a.content);
    return { name: a.name, source, type: a.type };
  });
  const file = join(resultsDir, `${uuid}-result.json`);
  writeFileSync(file, JSON.stringify({ uuid, stage: 'finished', ...allureTestOf(drill.result, drill.events), attachments }, null, 2));
  return file;
}

/**
 * After each drill, writes its allure result into `resultsDir` (e.g. allure-results), from the
 * drill's own timeline (kept from the artifacts hook): an hour-long drill's `timeline.ndjson` is
 * not read back into a second copy of its samples.
 */
export function allurePlugin(options: { resultsDir: string }): DrillPlugin {
  let timeline: RecordedTimeline | undefined;
  return {
    name: 'allure',
    artifacts(event) {
      timeline = event.timeline;
    },
    async onEnd({ result, resultFile, log }) {
      await writeAllureResult(options.resultsDir, { dir: dirname(resultFile), resultFile, result, events: timeline!.events, samples: timeline!.samples });
      log(`allure: result in ${options.resultsDir}`);
    },
  };
}

/**
 * Renders allure-results into a single-file HTML report with allure 3 (no Java), offline. The
 * awesome plugin always adds Google Tag Manager (`analyticsEnable: true` is hard-coded): an
 * evidence report must not call a third party when an auditor opens it, so that block is cut,
 * and any other remote script left is an error rather than a silent leak.
 */
export function renderAllureHtml(resultsDir: string, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const config = join(outDir, 'allurerc.mjs');
  writeFileSync(config, `export default { name: "firedrill drills", output: ${JSON.stringify(outDir)}, plugins: { awesome: { options: { singleFile: true, reportName: "firedrill drills" } } } };\n`);
  // The package exports only its entry point (dist/index.js); cli.js sits beside dist/.
  const cli = join(dirname(dirname(createRequire(import.meta.url).resolve('allure'))), 'cli.js');
  const run = spawnSync(process.execPath, [cli, 'generate', resultsDir, '--config', config, '-o', outDir], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`allure generate failed (exit ${run.status}): ${run.stderr || run.stdout}`);
  const index = join(outDir, 'index.html');
  const cleaned = withoutAnalytics(readFileSync(index, 'utf8'));
  writeFileSync(index, cleaned);
  return index;
}

const GTAG_BLOCK = /<script async src="https:\/\/www\.googletagmanager\.com\/[^"]*"><\/script>\s*<script>[\s\S]*?gtag\('config'[\s\S]*?<\/script>/g;

export function withoutAnalytics(html: string): string {
  const cleaned = html.replace(GTAG_BLOCK, '');
  const remote = /<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?\/\/[^"]*"/i.exec(cleaned);
  if (remote) throw new Error(`the allure report still loads something remote: ${remote[0]}`);
  return cleaned;
}
