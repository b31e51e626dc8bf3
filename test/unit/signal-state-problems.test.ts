import { expect } from 'chai';
import type { RecordEvent } from '../../src/core/timeline.js';
import { signalStateProblems } from '../../src/runner/checks.js';

const seen = (signal: string, state: string, detail?: Record<string, unknown>): RecordEvent => ({
  kind: 'signal', t: 10, signal, state, at: { t: 10, lower: 5, upper: 10 }, observedT: 10, source: 'observed', ...(detail ? { detail } : {}),
});

describe('signalStateProblems (the steady state\'s signal states)', () => {
  it('passes a signal whose latest state is the one expected', () => {
    expect(signalStateProblems([seen('image', 'missing'), seen('image', 'present')], { image: 'present' })).to.deep.equal([]);
  });

  it('says the state seen, the state expected, and the reason the signal gives', () => {
    expect(signalStateProblems([seen('image', 'missing', { reason: 'ECR has no image app:v42 in us-west-2' })], { image: 'present' }))
      .to.deep.equal(['signal image is missing, expected present (ECR has no image app:v42 in us-west-2)']);
  });

  it('quotes why a signal could not be read, and names one never observed', () => {
    expect(signalStateProblems([seen('stack', 'unknown', { error: 'Rate exceeded' })], { stack: 'CURRENT', bucket: 'configured' })).to.deep.equal([
      'signal stack is unknown, expected CURRENT (Rate exceeded)',
      'signal bucket is not observed yet, expected configured',
    ]);
  });
});
