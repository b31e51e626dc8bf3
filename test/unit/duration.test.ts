import { expect } from 'chai';
import { formatDuration, parseDuration } from '../../src/core/duration.js';

describe('parseDuration', () => {
  const valid: [string, number][] = [
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['250ms', 250],
    ['1m30s500ms', 90_500],
    ['2d', 172_800_000],
    ['  5m  ', 300_000],
    ['5M', 300_000],
    ['PT5M', 300_000],
    ['PT1H30M', 5_400_000],
    ['PT0.5S', 500],
    ['P1D', 86_400_000],
    ['P1DT1H', 90_000_000],
    ['pt5m', 300_000],
  ];
  for (const [text, ms] of valid) {
    it(`reads ${JSON.stringify(text)} as ${ms}ms`, () => {
      expect(parseDuration(text)).to.equal(ms);
    });
  }

  // A bare number is ambiguous (seconds? milliseconds?); a space between number and unit is
  // refused too, so "5 m" cannot be half-read as something else.
  const invalid = ['30', 'fast', 'PT', 'P', '', '5 m', '5x', 's', '-5s', '1.s', 'PT5', 'P1H'];
  for (const text of invalid) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      expect(parseDuration(text)).to.equal(undefined);
    });
  }
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0ms'],
    [850, '850ms'],
    [999.4, '999ms'],
    [1_000, '1.00s'],
    [1_234, '1.23s'],
    [12_300, '12.3s'],
    [59_900, '59.9s'],
    [60_000, '1m00s'],
    [245_000, '4m05s'],
    [3_600_000, '1h00m'],
    [3_720_000, '1h02m'],
    [-1_500, '-1.50s'],
    [-250, '-250ms'],
    // Rounding carries into the next unit instead of showing 60 of the smaller one.
    [999.6, '1.00s'],
    [9_996, '10.0s'],
    [59_960, '1m00s'],
    [119_600, '2m00s'],
    [3_599_700, '1h00m'],
    [7_170_000, '2h00m'],
  ];
  for (const [ms, text] of cases) {
    it(`shows ${ms}ms as ${text}`, () => {
      expect(formatDuration(ms)).to.equal(text);
    });
  }
});
