import { expect } from 'chai';
import { experimentTemplateSettings, unwrapExport } from '../../src/faults/fis-template.js';

const template = (roleArn: string, extra: Record<string, unknown> = {}) => ({ roleArn, actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' } } }, ...extra });

function problemsOf(value: unknown): string[] {
  const parsed = experimentTemplateSettings.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('FIS experiment template checks', function () {
  const valid: [string, string][] = [
    ['an IAM role', 'arn:aws:iam::123456789012:role/fis'],
    ['a role with a path', 'arn:aws:iam::123456789012:role/service-role/fis'],
    ['an S3 bucket (no Region, no account)', 'arn:aws:s3:::my-bucket/prefix/*'],
    ['an AWS-owned SSM document (no account)', 'arn:aws:ssm:us-east-1::document/AWSFIS-Run-CPU-Stress'],
    ['an AWS managed policy (account "aws")', 'arn:aws:iam::aws:policy/service-role/AWSFaultInjectionSimulatorEC2Access'],
    ['a log group with its ":*" suffix', 'arn:aws:logs:us-east-1:123456789012:log-group:fis:*'],
    ['a China-partition role', 'arn:aws-cn:iam::123456789012:role/fis'],
  ];

  it('does not take a comparison in a description for a placeholder', function () {
    expect(problemsOf(template('arn:aws:iam::123456789012:role/fis', { description: 'p99 < 300ms and error rate > 1%' }))).to.deep.equal([]);
  });
  for (const [what, arn] of valid) {
    it(`accepts ${what}`, function () {
      expect(problemsOf(template(arn))).to.deep.equal([]);
    });
  }

  const refused: [string, unknown, string][] = [
    ['an account that is not 12 digits', template('arn:aws:iam::12345:role/fis'), 'roleArn: malformed ARN "arn:aws:iam::12345:role/fis": the account "12345" is not 12 digits'],
    ['a missing resource part', template('arn:aws:iam::123456789012:'), 'roleArn: malformed ARN "arn:aws:iam::123456789012:": missing the resource part'],
    ['too few parts', template('arn:aws:iam'), 'roleArn: malformed ARN "arn:aws:iam": expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE'],
    ['a Region that is not one', template('arn:aws:ssm:virginia:123456789012:document/x'), 'roleArn: malformed ARN "arn:aws:ssm:virginia:123456789012:document/x": the Region "virginia" is not one like "us-east-1"'],
    ['an angle-bracket placeholder', template('arn:aws:iam::<YOUR AWS ACCOUNT>:role/fis'), 'roleArn: contains the placeholder "<YOUR AWS ACCOUNT>"'],
    ['a mustache placeholder in a parameter', template('arn:aws:iam::123456789012:role/fis', { targets: { t: { resourceType: 'aws:ec2:instance', selectionMode: 'ALL', parameters: { az: '{{ az }}' } } } }), 'targets.t.parameters.az: contains the placeholder "{{ az }}"'],
    ['a CloudFormation substitution', template('arn:aws:iam::${AWS::AccountId}:role/fis'), 'roleArn: contains the placeholder "${AWS::AccountId}"'],
  ];
  for (const [what, value, expected] of refused) {
    it(`refuses ${what}, naming the field`, function () {
      const problems = problemsOf(value);
      expect(problems).to.have.length(1);
      expect(problems[0]).to.contain(expected);
    });
  }

  it('unwraps get-experiment-template\'s export and drops its read-only fields, leaving other values alone', function () {
    const exported = { experimentTemplate: { id: 'EXT1', arn: 'arn:aws:fis:us-east-1:123456789012:experiment-template/EXT1', creationTime: 'x', lastUpdateTime: 'x', targetAccountConfigurationsCount: 0, ...template('arn:aws:iam::123456789012:role/fis') } };
    expect(unwrapExport(exported)).to.deep.equal(template('arn:aws:iam::123456789012:role/fis'));
    const plain = template('arn:aws:iam::123456789012:role/fis');
    expect(unwrapExport(plain)).to.equal(plain);
  });
});
