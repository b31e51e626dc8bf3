import { stringify as stringifyYaml } from 'yaml';

/**
 * Seeded mutations of a valid YAML/JSON document, for fuzzing loaders. Every case is
 * reproducible from (seed, index): print both when a case fails.
 */
export type Random = () => number;

/** mulberry32: a small, fast, seeded PRNG returning [0, 1). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const intBelow = (random: Random, n: number) => Math.floor(random() * n);

type Container = Record<string, unknown> | unknown[];
interface Slot { parent: Container; key: string | number }

/** Every place in the tree a value sits, so a mutation can hit any depth. */
function slotsOf(value: unknown, out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) value.forEach((item, i) => { out.push({ parent: value, key: i }); slotsOf(item, out); });
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) { out.push({ parent: value as Record<string, unknown>, key: k }); slotsOf(v, out); }
  return out;
}

const HUGE = [1e308, -1e308, 2 ** 64, Number.MAX_SAFE_INTEGER + 2, -0, 1e-320, '99999999999999999999999h', '1e400ms', 'PT999999999999H'];
const UNICODE = ['\u202Eeludom', '🔥🚒', 'ｓｃｅｎａｒｉｏ', 'a\u0000b', '\uD800', 'e\u0301\u0301\u0301', '\u200B', 'ÅØ∑≈ç√', '${lab.\u00e9}', '${}'];
const JUNK = ['{', '}', '[', ']', ':', '- ', '\t', '"', "'", '&a', '*a', '!!binary', '%YAML', '---', '...', '#', '|', '>', '\\', '\u0000', '\u00ff', '\r', '?', '@', '`', '{{', '<<: *x'];

function otherTypedValue(random: Random, current: unknown): unknown {
  const candidates: unknown[] = [42, -1, 0.5, true, false, null, [], {}, ['x', 1], { nested: 'x' }, 'text', '', '30', 'fast'];
  const different = candidates.filter((c) => typeof c !== typeof current || Array.isArray(c) !== Array.isArray(current));
  return pick(random, different.length ? different : candidates);
}

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { deeper: value };
  return value;
}

/** Structural mutations of the parsed document. Returns a description of what changed. */
const TREE_MUTATIONS: Record<string, (random: Random, doc: Record<string, unknown>) => string> = {
  deleteKey(random, doc) {
    const slots = slotsOf(doc).filter((s) => !Array.isArray(s.parent));
    const slot = pick(random, slots);
    delete (slot.parent as Record<string, unknown>)[slot.key as string];
    return `delete ${String(slot.key)}`;
  },
  changeType(random, doc) {
    const slot = pick(random, slotsOf(doc));
    const replacement = otherTypedValue(random, (slot.parent as Record<string, unknown>)[slot.key as string]);
    (slot.parent as Record<string | number, unknown>)[slot.key] = replacement;
    return `set ${String(slot.key)} to ${JSON.stringify(replacement)}`;
  },
  hugeNumber(random, doc) {
    const slot = pick(random, slotsOf(doc));
    const value = pick(random, HUGE);
    (slot.parent as Record<string | number, unknown>)[slot.key] = value;
    return `set ${String(slot.key)} to ${String(value)}`;
  },
  unicode(random, doc) {
    const slot = pick(random, slotsOf(doc));
    const value = pick(random, UNICODE);
    if (random() < 0.3 && !Array.isArray(slot.parent)) {
      const parent = slot.parent as Record<string, unknown>;
      parent[value] = parent[slot.key as string];
      delete parent[slot.key as string];
      return `rename key ${String(slot.key)} to ${JSON.stringify(value)}`;
    }
    (slot.parent as Record<string | number, unknown>)[slot.key] = value;
    return `set ${String(slot.key)} to ${JSON.stringify(value)}`;
  },
  unknownKey(random, doc) {
    const objects = slotsOf(doc).map((s) => (s.parent as Record<string | number, unknown>)[s.key]).filter((v): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v));
    const target = pick(random, [doc, ...objects]);
    target[`unexpected${intBelow(random, 100)}`] = 'x';
    return 'add an unknown key';
  },
  deepNesting(random, doc) {
    const slot = pick(random, slotsOf(doc));
    const depth = pick(random, [50, 300]);
    (slot.parent as Record<string | number, unknown>)[slot.key] = nested(depth, 'bottom');
    return `nest ${String(slot.key)} ${depth} deep`;
  },
};

/** Mutations of the text itself: what a bad editor, a bad merge or a truncated upload does. */
const TEXT_MUTATIONS: Record<string, (random: Random, text: string) => { text: string; what: string }> = {
  insertJunk(random, text) {
    let out = text;
    const n = 1 + intBelow(random, 4);
    for (let i = 0; i < n; i++) {
      const at = intBelow(random, out.length + 1);
      out = out.slice(0, at) + pick(random, JUNK) + out.slice(at);
    }
    return { text: out, what: `insert ${n} junk token(s)` };
  },
  truncate(random, text) {
    const at = intBelow(random, text.length);
    return { text: text.slice(0, at), what: `truncate at ${at}` };
  },
  duplicateLine(random, text) {
    const lines = text.split('\n');
    const i = intBelow(random, lines.length);
    lines.splice(i, 0, lines[i]!);
    return { text: lines.join('\n'), what: `duplicate line ${i + 1}` };
  },
  deepFlowNesting(random, text) {
    const depth = pick(random, [100, 1_000, 10_000]);
    return { text: `${text}\nextra: ${'['.repeat(depth)}${']'.repeat(depth)}\n`, what: `append a flow sequence ${depth} deep` };
  },
  randomBytes(random, text) {
    const bytes = Array.from({ length: 1 + intBelow(random, 64) }, () => String.fromCharCode(intBelow(random, 0x250)));
    const at = intBelow(random, text.length + 1);
    return { text: text.slice(0, at) + bytes.join('') + text.slice(at), what: `insert ${bytes.length} random characters at ${at}` };
  },
};

export interface MutatedCase {
  /** The document as text, YAML or JSON. */
  text: string;
  extension: '.yaml' | '.json';
  /** What was done, for the failure message. */
  mutations: string[];
}

/** One to three mutations of `doc` (a valid document), serialized as YAML or JSON. */
export function mutateDocument(random: Random, doc: Record<string, unknown>): MutatedCase {
  const copy = structuredClone(doc);
  const mutations: string[] = [];
  const treeCount = intBelow(random, 3);
  for (let i = 0; i < treeCount; i++) {
    // Once everything is deleted, only adding is left.
    const name = slotsOf(copy).length ? pick(random, Object.keys(TREE_MUTATIONS)) : 'unknownKey';
    mutations.push(`${name}: ${TREE_MUTATIONS[name]!(random, copy)}`);
  }
  const extension = random() < 0.7 ? '.yaml' : '.json';
  let text = extension === '.yaml' ? stringifyYaml(copy, { aliasDuplicateObjects: false }) : JSON.stringify(copy, null, 2);
  if (treeCount === 0 || random() < 0.5) {
    const name = pick(random, Object.keys(TEXT_MUTATIONS));
    const mutated = TEXT_MUTATIONS[name]!(random, text);
    text = mutated.text;
    mutations.push(`${name}: ${mutated.what}`);
  }
  return { text, extension, mutations };
}
