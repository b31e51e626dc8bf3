import { writeFileSync } from 'node:fs';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { renderSummary } from './summary.js';
import type { DrillPlugin } from '../runner/plugin.js';
import type { DrillResult } from '../runner/result.js';

/**
 * JUnit XML for CI: each drill is a test case named after its scenario (so CI tracks it across
 * runs). A breached or inconclusive target is a `<failure type="breached|inconclusive">`, a drill a
 * guardrail or a person stopped is a `<failure type="aborted">`, and a drill the harness could not
 * run is an `<error type="errored">`: not a finding about the system. The message is one line; the
 * body carries the whole breakdown table.
 */
export function renderJunit(results: readonly DrillResult[], suiteName = 'firedrill'): string {
  const problems = results.map(problemOf);
  const failures = problems.filter((p) => p?.element === 'failure').length;
  const errors = problems.filter((p) => p?.element === 'error').length;
  const seconds = results.reduce((sum, r) => sum + durationSeconds(r), 0);
  const root = create({ version: '1.0', encoding: 'UTF-8' })
    .ele('testsuites', { name: suiteName, tests: results.length, failures, errors, time: seconds.toFixed(3) });
  const suite = root.ele('testsuite', {
    name: suiteName, tests: results.length, failures, errors, skipped: 0, time: seconds.toFixed(3),
    timestamp: results[0]?.startedAt.replace(/Z$/, '') ?? new Date(0).toISOString().replace(/Z$/, ''),
  });
  results.forEach((result, i) => addTestCase(suite, result, problems[i]!));
  return root.end({ prettyPrint: true }) + '\n';
}

interface Problem {
  element: 'failure' | 'error';
  type: 'breached' | 'inconclusive' | 'aborted' | 'errored';
  message: string;
}

function problemOf(result: DrillResult): Problem | null {
  if (result.outcome === 'errored') return { element: 'error', type: 'errored', message: `the harness failed: ${firstLine(result.aborted?.reason ?? 'see the timeline')}` };
  if (result.outcome === 'aborted') {
    const by = result.aborted?.guardrail ? ` by guardrail ${result.aborted.guardrail}` : '';
    return { element: 'failure', type: 'aborted', message: `aborted${by}: ${firstLine(result.aborted?.reason ?? 'no reason recorded')}` };
  }
  const breached = result.verdicts.filter((v) => v.status === 'fail');
  const inconclusive = result.verdicts.filter((v) => v.status === 'inconclusive');
  const failedChecks = result.checks.filter((c) => !c.ok);
  if (breached.length || failedChecks.length) {
    const parts = [...breached.map((v) => `${v.target} breached (${v.source})`), ...failedChecks.map((c) => `check failed: ${c.name}`)];
    return { element: 'failure', type: 'breached', message: parts.join('; ') };
  }
  if (inconclusive.length) return { element: 'failure', type: 'inconclusive', message: `not measured: ${inconclusive.map((v) => v.target).join(', ')}` };
  return null;
}

function addTestCase(suite: XMLBuilder, result: DrillResult, problem: Problem | null): void {
  const testcase = suite.ele('testcase', { classname: `firedrill.${result.environment}`, name: result.scenario.name, time: durationSeconds(result).toFixed(3) });
  const properties = testcase.ele('properties');
  for (const [name, value] of [['drillId', result.drillId], ['outcome', result.outcome], ['scenarioFile', result.scenario.file], ['startedAt', result.startedAt]]) {
    properties.ele('property', { name, value });
  }
  const summary = renderSummary(result).trim();
  if (problem) testcase.ele(problem.element, { type: problem.type, message: problem.message }).txt(summary);
  testcase.ele('system-out').txt(summary);
}

function durationSeconds(result: DrillResult): number {
  return Math.max(0, Date.parse(result.endedAt) - Date.parse(result.startedAt)) / 1000;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}

/** Writes `junit.xml` beside `result.json` (listed in it), and to `file` too when given (the CI's path). */
export function junitPlugin(options: { file?: string } = {}): DrillPlugin {
  return {
    name: 'junit',
    artifacts({ result, addArtifact }) {
      addArtifact('junit.xml', renderJunit([result]));
    },
    onEnd({ result, log }) {
      if (!options.file) return;
      writeFileSync(options.file, renderJunit([result]));
      log(`JUnit: ${options.file}`);
    },
  };
}
