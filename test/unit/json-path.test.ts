import { expect } from 'chai';
import { jsonConditionSchema, matchesCondition, readJsonPath, type JsonCondition } from '../../src/core/json-path.js';

const doc = { status: 'ok', region: { name: 'us-west-2', zones: [{ id: 'a' }, { id: 'b' }] }, count: 0, flag: false, nothing: null, list: [1, 2] };

describe('readJsonPath', () => {
  const cases: [string, unknown][] = [
    ['', doc],
    ['$', doc],
    ['status', 'ok'],
    ['$.status', 'ok'],
    ['region.name', 'us-west-2'],
    ['region.zones.1.id', 'b'],
    ['list.0', 1],
    ['count', 0],
    ['flag', false],
    ['nothing', null],
    ['missing', undefined],
    ['region.zones.9.id', undefined],
    ['region.zones.x', undefined],
    ['status.length', undefined],
    ['nothing.below', undefined],
    ['toString', undefined],
  ];
  for (const [path, expected] of cases) {
    it(`reads ${JSON.stringify(path)}`, () => expect(readJsonPath(doc, path)).to.deep.equal(expected));
  }

  it('reads into a top-level array', () => expect(readJsonPath([{ a: 1 }], '0.a')).to.equal(1));
});

describe('matchesCondition', () => {
  const cases: [JsonCondition, boolean][] = [
    [{ path: 'status', equals: 'ok' }, true],
    [{ path: 'status', equals: 'down' }, false],
    [{ path: 'count', equals: 0 }, true],
    [{ path: 'count', equals: '0' }, false],
    [{ path: 'flag', equals: false }, true],
    [{ path: 'nothing', equals: null }, true],
    [{ path: 'missing', equals: null }, false],
    [{ path: 'region.name', in: ['us-east-1', 'us-west-2'] }, true],
    [{ path: 'region.name', in: ['us-east-1'] }, false],
    [{ path: 'missing', exists: false }, true],
    [{ path: 'nothing', exists: true }, true],
    [{ path: 'missing', exists: true }, false],
    [{ path: 'status' }, true],
    [{ path: 'missing' }, false],
    [{ path: 'status', exists: true, equals: 'down' }, false],
  ];
  for (const [cond, expected] of cases) {
    it(`${JSON.stringify(cond)} is ${expected}`, () => expect(matchesCondition(doc, cond)).to.equal(expected));
  }
});

describe('jsonConditionSchema', () => {
  it('accepts a condition and refuses unknown keys', () => {
    expect(jsonConditionSchema.safeParse({ path: 'a', equals: 1 }).success).to.equal(true);
    expect(jsonConditionSchema.safeParse({ path: 'a', equal: 1 }).success).to.equal(false);
    expect(jsonConditionSchema.safeParse({ equals: 1 }).success).to.equal(false);
  });
});
