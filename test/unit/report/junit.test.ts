import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { renderJunit } from '../../../src/report/junit.js';
import type { DrillResult } from '../../../src/runner/result.js';
import { drillFixture as fixture } from '../../support/drill-fixtures.js';

interface ParsedCase {
  '@name': string;
  '@classname': string;
  failure?: { '@type': string; '@message': string; '#': string };
  error?: { '@type': string; '@message': string; '#': string };
}

function parseCases(xml: string): { suites: Record<string, string>; cases: ParsedCase[] } {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '#', parseAttributeValue: false, isArray: (name) => name === 'testcase' });
  const doc = parser.parse(xml, true) as { testsuites: Record<string, string> & { testsuite: { testcase: ParsedCase[] } } };
  return { suites: doc.testsuites, cases: doc.testsuites.testsuite.testcase };
}

describe('JUnit XML from drill results', () => {
  it('parses back: a passed drill is a case with no failure, a breached one carries the breakdown table', () => {
    const xml = renderJunit([fixture('passed').result, fixture('breached').result]);
    const { suites, cases } = parseCases(xml);
    expect(suites['@tests']).to.equal('2');
    expect(suites['@failures']).to.equal('1');
    expect(suites['@errors']).to.equal('0');
    expect(cases.map((c) => c['@name'])).to.deep.equal(['lab-demo', 'lab-demo']);
    expect(cases[0]!['@classname']).to.equal('firedrill.lab');
    expect(cases[0]!.failure).to.equal(undefined);
    const failure = cases[1]!.failure!;
    expect(failure['@type']).to.equal('breached');
    expect(failure['@message']).to.equal('rto breached (rto <= 2.00s)');
    expect(failure['#']).to.match(/^RTO +3\.16s \(2\.97s\.\.3\.19s, ±112ms\) +<= 2\.00s +FAIL$/m);
    expect(failure['#']).to.match(/^detection +800ms .* PASS$/m);
  });

  it('an aborted drill is a failure of type aborted, an errored one an error: CI tells them apart', () => {
    const aborted = fixture('aborted').result;
    const errored: DrillResult = { ...aborted, outcome: 'errored', aborted: { reason: 'moto_server exited with code 1\nstack…', at: 3 } };
    const { suites, cases } = parseCases(renderJunit([aborted, errored]));
    expect(cases[0]!.failure!['@type']).to.equal('aborted');
    expect(cases[0]!.failure!['@message']).to.match(/^aborted by guardrail steady-state: steady state not met before injecting/);
    expect(cases[1]!.failure).to.equal(undefined);
    expect(cases[1]!.error!['@type']).to.equal('errored');
    expect(cases[1]!.error!['@message']).to.equal('the harness failed: moto_server exited with code 1');
    expect([suites['@failures'], suites['@errors']]).to.deep.equal(['1', '1']);
  });

  it('a drill whose targets were not measured is an inconclusive failure, never a pass', () => {
    const passed = fixture('passed').result;
    const unmeasured: DrillResult = { ...passed, verdicts: passed.verdicts.map((v) => (v.target === 'rto' ? { ...v, measured: null, judged: null, status: 'inconclusive' } : v)) };
    const { cases } = parseCases(renderJunit([unmeasured]));
    expect(cases[0]!.failure!['@type']).to.equal('inconclusive');
    expect(cases[0]!.failure!['@message']).to.equal('not measured: rto');
  });
});
