import { z } from 'zod';
import { DURATION_HINT } from '../core/duration.js';
import { UNIT_HINT } from '../core/targets.js';
import { configSchema } from './environment.js';
import { COMMON_KEYS, type AdapterSection, type KindSchemas } from './load.js';
import { scenarioSchema } from './schema.js';

/**
 * JSON Schemas of the scenario and the configuration file, made from the zod schemas the loader
 * validates with, for editors (the YAML language server's `$schema` comment) and the field
 * reference. Each entry of faults, probes, signals, steps and canaries is the section's shared
 * fields plus its kind's settings, chosen by `kind`; an entry with `use:` takes the rest from a
 * shared file. `${…}` references are allowed wherever a value is, since they are filled in first.
 */
export type JsonSchema = { [key: string]: unknown };

/**
 * The duration grammar of `src/core/duration.ts` without its case-insensitive flag, which JSON
 * Schema patterns lack (the ISO form's corner cases, "P" alone, are left to the loader).
 */
const DURATION_PATTERN = '^\\s*(?:(?:\\d+(?:\\.\\d+)?(?:[mM][sS]|[sSmMhHdD]))+|[pP](?:\\d+(?:\\.\\d+)?[dD])?(?:[tT](?:\\d+(?:\\.\\d+)?[hH])?(?:\\d+(?:\\.\\d+)?[mM])?(?:\\d+(?:\\.\\d+)?[sS])?)?)\\s*$';

/** A string holding a `${…}` reference: its value is only known once the environment fills it in. */
const REFERENCE: JsonSchema = { type: 'string', pattern: '\\$\\{[A-Za-z_][\\w.]*\\}' };

/** The schemas as written, defaults included, before `${…}` references are allowed (the reference page reads these). */
export interface WrittenSchemas {
  scenario: JsonSchema;
  /** By section and kind: the kind's own settings. */
  kinds: Record<AdapterSection, Record<string, JsonSchema>>;
  /** By section: the fields every entry has (name, kind, and the section's own). */
  envelopes: Record<AdapterSection, JsonSchema>;
  config: JsonSchema;
}

export function writtenSchemas(kinds: KindSchemas): WrittenSchemas {
  const scenario = toJson(scenarioSchema);
  const sections = Object.keys(COMMON_KEYS) as AdapterSection[];
  const properties = scenario.properties as Record<string, JsonSchema>;
  const envelopes = Object.fromEntries(sections.map((s) => [s, properties[s]!.items as JsonSchema])) as WrittenSchemas['envelopes'];
  const kindSchemas = Object.fromEntries(sections.map((s) => [s, Object.fromEntries(Object.entries(kinds[s]).map(([kind, schema]) => [kind, toJson(schema)]))])) as WrittenSchemas['kinds'];
  return { scenario, kinds: kindSchemas, envelopes, config: toJson(configSchema) };
}

export function scenarioJsonSchema(written: WrittenSchemas): JsonSchema {
  const scenario = structuredClone(written.scenario);
  const properties = scenario.properties as Record<string, JsonSchema>;
  const defs: Record<string, unknown> = {};
  for (const section of Object.keys(written.envelopes) as AdapterSection[]) {
    const envelope = written.envelopes[section];
    const kinds = Object.entries(written.kinds[section]).map(([kind, settings]) => ({ kind, settings: hoistDefs(settings, `${section}.${kind}.`, defs) }));
    properties[section] = {
      ...properties[section],
      items: {
        type: 'object',
        if: { required: ['use'] },
        then: { properties: { use: { type: 'string', description: 'a shared entry (probes/…yaml) whose fields this entry overrides' } } },
        else: {
          required: ['kind'],
          properties: { kind: { enum: kinds.map((k) => k.kind) } },
          allOf: kinds.map(({ kind, settings }) => ({
            if: { properties: { kind: { const: kind } }, required: ['kind'] },
            then: allowReferences({
              type: 'object',
              properties: { ...(envelope.properties as object), ...(settings.properties as object), kind: { const: kind } },
              required: [...new Set([...(envelope.required as string[]), ...((settings.required as string[] | undefined) ?? [])])],
              additionalProperties: false,
            }, ['kind']),
          })),
        },
      },
    };
  }
  // A refinement zod cannot write: at least one target.
  properties.targets = { ...properties.targets, minProperties: 1 };
  const sections = new Set(Object.keys(written.envelopes));
  for (const [key, value] of Object.entries(properties)) if (!sections.has(key)) properties[key] = allowReferences(value as JsonSchema, []);
  return { $schema: scenario.$schema, title: 'firedrill scenario', ...withoutSchemaKey(scenario), ...(Object.keys(defs).length ? { $defs: defs } : {}) };
}

/** The configuration file takes no `${…}` references: it is where their values come from. */
export function configJsonSchema(written: WrittenSchemas): JsonSchema {
  return { $schema: written.config.$schema, title: 'firedrill configuration (firedrill.config.yaml)', ...withoutSchemaKey(written.config) };
}

function toJson(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', override: completeForEditors }) as JsonSchema;
}

/**
 * What zod leaves out or overstates: defaults it cannot write in the input's terms (a duration's
 * default is held in milliseconds) go back as a user writes them, "2s" or "10%"; a duration
 * gets its grammar as a pattern.
 */
function completeForEditors(ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }): void {
  const def = ctx.zodSchema._zod.def;
  if (ctx.jsonSchema.description === DURATION_HINT && ctx.jsonSchema.type === 'string') ctx.jsonSchema.pattern = DURATION_PATTERN;
  if (def.type !== 'default') {
    // zod bounds every integer by the safe range: true of every number here, so it only adds noise.
    if (ctx.jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete ctx.jsonSchema.maximum;
    if (ctx.jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete ctx.jsonSchema.minimum;
    return;
  }
  const value = def.defaultValue as unknown;
  // An object's default is its fields' defaults, each in its own field, as written there.
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    delete ctx.jsonSchema.default;
    return;
  }
  if ('default' in ctx.jsonSchema) return;
  const description = (def.innerType as z.ZodType).description;
  if (description === DURATION_HINT && typeof value === 'number') ctx.jsonSchema.default = writtenDuration(value);
  else if (description === UNIT_HINT.ratio && typeof value === 'number') ctx.jsonSchema.default = `${Number((value * 100).toFixed(4))}%`;
  else if (value !== undefined) ctx.jsonSchema.default = value;
}

const UNITS: [string, number][] = [['h', 3_600_000], ['m', 60_000], ['s', 1_000]];

/** A duration in the largest unit it is a whole number of: 300000 → "5m", 1500 → "1500ms". */
function writtenDuration(ms: number): string {
  const unit = UNITS.find(([, size]) => ms > 0 && ms % size === 0);
  return unit ? `${ms / unit[1]}${unit[0]}` : `${ms}ms`;
}

/** Wherever a scalar is constrained, a `${…}` reference is accepted too; `keep` names keys left alone. */
function allowReferences(node: JsonSchema, keep: string[]): JsonSchema {
  const out: JsonSchema = { ...node };
  if (out.properties) out.properties = Object.fromEntries(Object.entries(out.properties as Record<string, JsonSchema>).map(([k, v]) => [k, keep.includes(k) ? v : allowReferences(v, [])]));
  if (out.items) out.items = allowReferences(out.items as JsonSchema, []);
  if (out.anyOf) out.anyOf = (out.anyOf as JsonSchema[]).map((branch) => allowReferences(branch, []));
  if (out.additionalProperties && typeof out.additionalProperties === 'object') out.additionalProperties = allowReferences(out.additionalProperties as JsonSchema, []);
  const constrained = out.enum !== undefined || out.const !== undefined || ['number', 'integer', 'boolean'].includes(out.type as string)
    || (out.type === 'string' && (out.pattern !== undefined || out.format !== undefined || out.minLength !== undefined));
  if (!constrained) return out;
  const { default: fallback, description, ...rest } = out;
  return { ...(description !== undefined ? { description } : {}), ...(fallback !== undefined ? { default: fallback } : {}), anyOf: [rest, REFERENCE] };
}

/** Moves a kind's own `$defs` to the top of the scenario schema under a prefix, so two kinds' definitions never collide. */
function hoistDefs(schema: JsonSchema, prefix: string, defs: Record<string, unknown>): JsonSchema {
  const own = schema.$defs as Record<string, unknown> | undefined;
  const { $defs: _defs, ...rest } = withoutSchemaKey(schema);
  if (!own) return rest;
  const renamed = JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', `"#/$defs/${prefix}`)) as JsonSchema;
  for (const [key, value] of Object.entries(own)) defs[`${prefix}${key}`] = JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', `"#/$defs/${prefix}`));
  return renamed;
}

function withoutSchemaKey(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, ...rest } = schema;
  return rest;
}
