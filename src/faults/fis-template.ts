import { z } from 'zod';

/**
 * An FIS experiment template as CreateExperimentTemplate takes it (every field of its input,
 * botocore's fis 2020-12-01 model), as teams keep it: in the scenario (`inlineTemplate`) or in a
 * JSON file (`templateFile`), either as AWS's template library publishes it or as
 * `aws fis get-experiment-template` exports it. Placeholders left in (`<…>`, `{{…}}`, `${…}`) and
 * malformed ARNs are errors naming the field, since FIS would only refuse them mid-drill.
 */
const stringMap = z.record(z.string(), z.string());

const actionSettings = z.strictObject({
  actionId: z.string().min(1),
  description: z.string().optional(),
  parameters: stringMap.optional(),
  targets: stringMap.optional(),
  startAfter: z.array(z.string().min(1)).optional(),
});

const targetSettings = z.strictObject({
  resourceType: z.string().min(1),
  resourceArns: z.array(z.string().min(1)).optional(),
  resourceTags: stringMap.optional(),
  filters: z.array(z.strictObject({ path: z.string().min(1), values: z.array(z.string()) })).optional(),
  selectionMode: z.string().min(1),
  parameters: stringMap.optional(),
});

const s3Location = z.strictObject({ bucketName: z.string().min(1), prefix: z.string().optional() });

const templateShape = z.strictObject({
  /** Default: "firedrill drill <drill id>". */
  description: z.string().optional(),
  actions: z.record(z.string(), actionSettings),
  targets: z.record(z.string(), targetSettings).optional(),
  /** FIS requires at least one; `none` means the experiment has no stop condition. */
  stopConditions: z.array(z.strictObject({ source: z.string().min(1), value: z.string().optional() })).default([{ source: 'none' }]),
  roleArn: z.string().min(1),
  /** The template's own tags; the drill's tag is added to them. */
  tags: stringMap.optional(),
  logConfiguration: z.strictObject({
    cloudWatchLogsConfiguration: z.strictObject({ logGroupArn: z.string().min(1) }).optional(),
    s3Configuration: s3Location.optional(),
    logSchemaVersion: z.number().int().min(1),
  }).optional(),
  experimentOptions: z.strictObject({
    accountTargeting: z.enum(['single-account', 'multi-account']).optional(),
    emptyTargetResolutionMode: z.enum(['fail', 'skip']).optional(),
  }).optional(),
  experimentReportConfiguration: z.strictObject({
    outputs: z.strictObject({ s3Configuration: s3Location.optional() }).optional(),
    dataSources: z.strictObject({ cloudWatchDashboards: z.array(z.strictObject({ dashboardIdentifier: z.string().min(1) })).optional() }).optional(),
    preExperimentDuration: z.string().optional(),
    postExperimentDuration: z.string().optional(),
  }).optional(),
  /** Accepted because CLI skeletons carry it; firedrill sends its own, so every drill makes a fresh template. */
  clientToken: z.string().optional(),
});

export const experimentTemplateSettings = templateShape.superRefine((template, ctx) => {
  visitStrings(template, [], (text, path) => {
    const problem = placeholderProblem(text) ?? (text.startsWith('arn:') ? arnProblem(text) : undefined);
    if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
  });
});

export type ExperimentTemplate = z.output<typeof experimentTemplateSettings>;

/** Fields `get-experiment-template` exports that CreateExperimentTemplate does not take. */
const EXPORT_ONLY = ['id', 'arn', 'creationTime', 'lastUpdateTime', 'targetAccountConfigurationsCount'];

/** `{ "experimentTemplate": {…} }` as `aws fis get-experiment-template` prints it, unwrapped to CreateExperimentTemplate's input. */
export function unwrapExport(value: unknown): unknown {
  if (!isObject(value) || !isObject(value.experimentTemplate) || Object.keys(value).length !== 1) return value;
  return Object.fromEntries(Object.entries(value.experimentTemplate).filter(([key]) => !EXPORT_ONLY.includes(key)));
}

const PLACEHOLDERS = [/<[A-Za-z_][^<>]*>/, /\{\{[^{}]*\}\}/, /\$\{[^{}]*\}/];

function placeholderProblem(text: string): string | undefined {
  for (const pattern of PLACEHOLDERS) {
    const found = pattern.exec(text);
    if (found) return `contains the placeholder ${JSON.stringify(found[0])}: fill it in (for instance with \${vars.NAME} from the environment), got ${JSON.stringify(text)}`;
  }
  return undefined;
}

const ARN_SHAPE = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/s;

/** `arn:partition:service:region:account:resource`; the account is 12 digits, empty (S3) or `aws` (AWS-owned). */
function arnProblem(text: string): string | undefined {
  const parts = ARN_SHAPE.exec(text);
  const expected = 'expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE';
  if (!parts) return `malformed ARN ${JSON.stringify(text)}: ${expected}`;
  const [, partition, service, region, account, resource] = parts as unknown as string[];
  if (!/^aws(-[a-z]+)*$/.test(partition!)) return `malformed ARN ${JSON.stringify(text)}: the partition ${JSON.stringify(partition)} is not aws, aws-cn, aws-us-gov…`;
  if (!/^[a-z0-9-]+$/.test(service!)) return `malformed ARN ${JSON.stringify(text)}: missing the service (${expected})`;
  if (region && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) return `malformed ARN ${JSON.stringify(text)}: the Region ${JSON.stringify(region)} is not one like "us-east-1"`;
  if (account && account !== 'aws' && !/^\d{12}$/.test(account)) return `malformed ARN ${JSON.stringify(text)}: the account ${JSON.stringify(account)} is not 12 digits`;
  if (!resource) return `malformed ARN ${JSON.stringify(text)}: missing the resource part (${expected})`;
  return undefined;
}

function visitStrings(value: unknown, path: PropertyKey[], onString: (text: string, path: PropertyKey[]) => void): void {
  if (typeof value === 'string') onString(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => visitStrings(item, [...path, i], onString));
  else if (isObject(value)) for (const [key, inner] of Object.entries(value)) visitStrings(inner, [...path, key], onString);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
