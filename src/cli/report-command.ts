import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT } from '../runtime/errors.js';
import { renderAllureHtml, writeAllureResult } from '../report/allure.js';
import { buildComplianceReport, writeComplianceReport } from '../report/compliance.js';
import { readDrillOutput } from '../report/drill-output.js';
import { loadFrameworks } from '../report/frameworks.js';
import { DrillHistory, drillRecordsOf, recordedResultsOf } from '../report/drill-history.js';
import { keyIdOf, publicKeyFrom } from '../report/dsse.js';
import { CorruptHistoryError, operatorName } from '../report/history.js';
import { historyStoreOf, historyTarget } from '../report/history-config.js';
import { generateKeyFile, keyFileSigner, kmsSigner } from '../report/signers.js';
import { configPathFrom, loadHistoryConfig } from '../scenario/environment.js';
import { renderHistoryHtml, renderHistoryTable } from '../report/history-report.js';
import { renderJunit } from '../report/junit.js';
import { DEFAULT_REGRESSION_OPTIONS, findRegressions, newestRegressions } from '../report/regressions.js';
import { CHART_FILE, drawTimelineChart } from '../report/chart-plugin.js';
import { describeSignOffs, verifyHistory } from '../report/verify.js';
import { stateDirFrom } from '../runtime/state-dir.js';
import { FIREDRILL_VERSION } from '../runtime/version.js';
import { PROJECT_DIR } from './context.js';
import type { Io } from './io.js';
import { UsageError } from './usage-error.js';

export const REPORT_USAGE = `firedrill report — reports from drill output folders and the drill history

  firedrill report junit <drill-dir>... [--out FILE]         JUnit XML (default junit.xml)
  firedrill report allure <drill-dir>... [--results DIR] [--html DIR]   allure results (default allure-results), rendered offline with --html
  firedrill report chart <drill-dir> [--out FILE]            the timeline chart (default <drill-dir>/${CHART_FILE})
  firedrill report history [--scenario S] [--environment E] [--last N] [--share P%] [--html FILE] [--fail-on-regression]
                                                             measurements over time; regressions flagged (exit 1 with --fail-on-regression)
  firedrill report compliance --from YYYY-MM-DD --to YYYY-MM-DD --out DIR [--framework ID]... [--frameworks DIR]
                                                             compliance.json, .html and .pdf for the period (frameworks: reports/frameworks/*.yaml)
  firedrill report verify [--public-key FILE]...             check every record's signature (with the signers' public keys), the hash chain, that no record
                                                             is missing, on S3 that each is still under retention, and every artefact's SHA-256 (exit 1 on any problem)
  firedrill report sign-off --drill ID (--key FILE | --kms-key-id ID --kms-region R) [--by NAME]
                                                             append the approver's signed sign-off of a drill's record
  firedrill report keygen --out FILE                         a new Ed25519 signing key (FILE, mode 0600) and its public key (FILE.pub)
history options: --config FILE (its "history" section: S3 bucket, signing key; default firedrill.config.yaml),
  --history FILE (a local history file instead; default <state-dir>/history.ndjson), --state-dir DIR`;

/** Report templates and framework control mappings: data, kept at the top of the project. */
const REPORTS_DIR = join(PROJECT_DIR, 'reports');

const HISTORY_OPTIONS = { history: { type: 'string' }, 'state-dir': { type: 'string' }, config: { type: 'string' } } as const;

type Subcommand = (argv: string[], io: Io) => Promise<number>;

const SUBCOMMANDS: Record<string, Subcommand> = {
  junit: async (argv, io) => {
    const { values, positionals } = parseArgs({ args: argv, options: { out: { type: 'string' } }, allowPositionals: true });
    if (positionals.length === 0) throw new UsageError(`junit: expected one or more drill output folders\n\n${REPORT_USAGE}`);
    const results = positionals.map((dir) => readDrillOutput(resolve(io.cwd, dir)).result);
    const out = writeReport(io, values.out ?? 'junit.xml', renderJunit(results));
    io.out(`JUnit: ${out} (${results.length} drill(s))`);
    return EXIT.passed;
  },
  allure: async (argv, io) => {
    const { values, positionals } = parseArgs({ args: argv, options: { results: { type: 'string' }, html: { type: 'string' } }, allowPositionals: true });
    if (positionals.length === 0) throw new UsageError(`allure: expected one or more drill output folders\n\n${REPORT_USAGE}`);
    const drills = positionals.map((dir) => readDrillOutput(resolve(io.cwd, dir)));
    const resultsDir = resolve(io.cwd, values.results ?? 'allure-results');
    for (const drill of drills) await writeAllureResult(resultsDir, drill);
    io.out(`allure results: ${resultsDir} (${drills.length} drill(s))`);
    if (values.html) io.out(`allure report: ${renderAllureHtml(resultsDir, resolve(io.cwd, values.html))} (opens offline; loads nothing from outside)`);
    return EXIT.passed;
  },
  chart: async (argv, io) => {
    const { values, positionals } = parseArgs({ args: argv, options: { out: { type: 'string' } }, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError(`chart: expected one drill output folder\n\n${REPORT_USAGE}`);
    const drill = readDrillOutput(resolve(io.cwd, positionals[0]!));
    const out = writeReport(io, values.out ?? join(drill.dir, CHART_FILE), await drawTimelineChart(drill.result, drill));
    io.out(`chart: ${out}`);
    return EXIT.passed;
  },
  history: async (argv, io) => {
    const { values } = parseArgs({ args: argv, options: {
      ...HISTORY_OPTIONS, scenario: { type: 'string' }, environment: { type: 'string' }, last: { type: 'string' }, share: { type: 'string' },
      html: { type: 'string' }, 'fail-on-regression': { type: 'boolean' },
    } });
    const options = {
      ...DEFAULT_REGRESSION_OPTIONS,
      ...(values.last !== undefined ? { last: positiveInteger(values.last, '--last') } : {}),
      ...(values.share !== undefined ? { share: percentage(values.share, '--share') } : {}),
    };
    const chain = await readChain(historyOf(io, values));
    const entries = drillRecordsOf(chain, { ...(values.scenario ? { scenario: values.scenario } : {}), ...(values.environment ? { environment: values.environment } : {}) });
    // --last N: the table shows each scenario's newest N runs; the baselines still use what came before.
    const shown = values.last === undefined ? entries : newestPerScenario(entries, options.last);
    const regressions = findRegressions(entries, options).filter((r) => shown.some((e) => e.drillId === r.drillId));
    io.out(renderHistoryTable(shown, regressions));
    const shownIds = new Set(shown.map((e) => e.drillId));
    for (const signOff of describeSignOffs(chain).signOffs) if (shownIds.has(signOff.drillId)) io.out(`sign-off: ${signOff.text}`);
    if (values.html) io.out(`\nhistory page: ${writeReport(io, values.html, renderHistoryHtml(shown, regressions, new Date()))}`);
    if (values['fail-on-regression'] && newestRegressions(entries, options).length) {
      io.err(`firedrill report history: the newest run of a scenario regressed (--fail-on-regression)`);
      return EXIT.failed;
    }
    return EXIT.passed;
  },
  compliance: async (argv, io) => {
    const { values } = parseArgs({ args: argv, options: {
      ...HISTORY_OPTIONS, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, framework: { type: 'string', multiple: true }, frameworks: { type: 'string' },
    } });
    if (!values.out) throw new UsageError(`compliance: --out DIR is required\n\n${REPORT_USAGE}`);
    const from = dateOption(values.from, '--from');
    const to = new Date(dateOption(values.to, '--to').getTime() + 86_400_000 - 1);
    if (to < from) throw new UsageError(`--to: expected a date on or after --from (${values.from}), got ${JSON.stringify(values.to)}`);
    const frameworks = loadFrameworks(values.frameworks ? resolve(io.cwd, values.frameworks) : join(REPORTS_DIR, 'frameworks'), values.framework);
    const history = historyOf(io, values);
    const chain = await readChain(history);
    const integrity = verifyHistory(chain, { files: history.store.filesAreLocal ? 'all' : 'present' });
    const report = buildComplianceReport(drillRecordsOf(chain), { from, to, frameworks, tool: `firedrill ${FIREDRILL_VERSION}`, integrity, recordedResults: recordedResultsOf(chain) });
    const files = await writeComplianceReport(report, join(REPORTS_DIR, 'templates', 'compliance.html'), resolve(io.cwd, values.out));
    io.out(`compliance report: ${report.drills.length} drill(s), ${frameworks.length} framework(s)${report.integrity.problems.length ? `, ${report.integrity.problems.length} integrity problem(s)` : ''}`);
    for (const file of Object.values(files)) io.out(`  ${file}`);
    return EXIT.passed;
  },
  verify: async (argv, io) => {
    const { values } = parseArgs({ args: argv, options: { ...HISTORY_OPTIONS, 'public-key': { type: 'string', multiple: true } } });
    const keys = new Map((values['public-key'] ?? []).map((file) => publicKeyOf(resolve(io.cwd, file))));
    const history = historyOf(io, values);
    let chain;
    try {
      chain = await history.chain();
    } catch (error) {
      if (!(error instanceof CorruptHistoryError)) throw error;
      io.out(`TAMPERED: ${error.message}`);
      return EXIT.failed;
    }
    const report = verifyHistory(chain, { keys, files: history.store.filesAreLocal ? 'all' : 'present' });
    for (const problem of report.problems) io.out(`TAMPERED: ${problem}`);
    for (const signOff of report.signOffs) io.out(`sign-off: ${signOff}`);
    if (!keys.size) io.out('signatures not checked: give the signers\' public keys with --public-key FILE');
    const files = `${report.artifacts} file(s) checked${report.filesElsewhere ? ` (${report.filesElsewhere} more on the machines that ran the drills)` : ''}`;
    const signatures = keys.size ? `, ${report.signatures} signature(s) checked against ${keys.size} key(s)` : '';
    const verdict = report.problems.length ? `${report.problems.length} problem(s)` : keys.size ? 'chain, signatures and every SHA-256 intact' : 'chain and every SHA-256 intact';
    io.out(`${history.location}: ${report.records} record(s), ${files}${signatures}: ${verdict}`);
    return report.problems.length ? EXIT.failed : EXIT.passed;
  },
  'sign-off': async (argv, io) => {
    const { values } = parseArgs({ args: argv, options: { ...HISTORY_OPTIONS, drill: { type: 'string' }, key: { type: 'string' }, 'kms-key-id': { type: 'string' }, 'kms-region': { type: 'string' }, by: { type: 'string' } } });
    if (!values.drill) throw new UsageError(`sign-off: --drill ID is required\n\n${REPORT_USAGE}`);
    const config = loadHistoryConfig(configPathFrom(io.cwd, values.config));
    const signer = values.key
      ? keyFileSigner(resolve(io.cwd, values.key))
      : values['kms-key-id'] && values['kms-region'] ? kmsSigner(values['kms-key-id'], historyTarget(values['kms-region'], config?.s3?.endpoint)) : undefined;
    if (!signer) throw new UsageError(`sign-off: the approver's own key is required: --key FILE, or --kms-key-id ID with --kms-region R\n\n${REPORT_USAGE}`);
    const history = historyOf(io, values);
    const record = await history.signOff({ drillId: values.drill, by: values.by ?? operatorName(), signer });
    io.out(`sign-off: record ${record.seq} in ${history.location}: ${record.by} approves record ${record.approves.seq} (drill ${record.drillId}), signed with ${signer.description}`);
    return EXIT.passed;
  },
  keygen: async (argv, io) => {
    const { values } = parseArgs({ args: argv, options: { out: { type: 'string' } } });
    if (!values.out) throw new UsageError(`keygen: --out FILE is required\n\n${REPORT_USAGE}`);
    const key = generateKeyFile(resolve(io.cwd, values.out));
    io.out(`signing key: ${key.privateFile} (keep it secret)\npublic key: ${key.publicFile} (key id ${key.keyid}; give it to whoever verifies)`);
    return EXIT.passed;
  },
};

export async function reportCommand(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  const sub = name ? SUBCOMMANDS[name] : undefined;
  if (!sub) {
    if (!name || name === '--help') { io.out(REPORT_USAGE); return name ? EXIT.passed : EXIT.invalid; }
    throw new UsageError(`unknown report "${name}"\n\n${REPORT_USAGE}`);
  }
  return sub(rest, io);
}

/** The history to read (or sign off): reports need no signing key, so the config's is not opened. */
function historyOf(io: Io, values: { history?: string; 'state-dir'?: string; config?: string }): DrillHistory {
  const config = loadHistoryConfig(configPathFrom(io.cwd, values.config));
  return new DrillHistory(historyStoreOf(config, { stateDir: stateDirFrom(io.cwd, values['state-dir']), ...(values.history ? { historyFile: resolve(io.cwd, values.history) } : {}) }));
}

async function readChain(history: DrillHistory) {
  try {
    return await history.chain();
  } catch (error) {
    if (error instanceof CorruptHistoryError) throw new UsageError(`${error.message}; run "firedrill report verify"`);
    throw error;
  }
}

/** A signer's public key (PEM, or the DER that `aws kms get-public-key` returns) by its key id. */
function publicKeyOf(file: string): [string, ReturnType<typeof publicKeyFrom>] {
  let key;
  try {
    key = publicKeyFrom(readFileSync(file));
  } catch (error) {
    throw new UsageError(`--public-key ${file}: expected a public key in PEM or DER (Ed25519 or ECDSA P-256): ${(error as Error).message}`);
  }
  return [keyIdOf(key), key];
}

function newestPerScenario<T extends { scenario: string; environment: string; startedAt: string }>(entries: T[], n: number): T[] {
  const ordered = [...entries].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  return ordered.filter((e, i) => ordered.slice(i + 1).filter((later) => later.scenario === e.scenario && later.environment === e.environment).length < n);
}

function writeReport(io: Io, path: string, content: string): string {
  const file = resolve(io.cwd, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

function dateOption(text: string | undefined, option: string): Date {
  const date = text && /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new UsageError(`${option}: expected a date like "2026-12-01", got ${JSON.stringify(text ?? null)}`);
  return date;
}

function positiveInteger(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option}: expected a whole number of runs >= 1, got ${JSON.stringify(text)}`);
  return n;
}

function percentage(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (!match) throw new UsageError(`${option}: expected a percentage like "20%", got ${JSON.stringify(text)}`);
  return Number(match[1]) / 100;
}
