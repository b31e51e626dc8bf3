import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  backupClient, cloudWatchClient, dynamoDbClient, ecsClient, endpointFor, fisClient, lambdaClient, rdsClient, route53Client, s3Client, sqsClient, type AwsTarget,
} from '../../src/aws/clients.js';

describe('AWS client setup', () => {
  describe('endpoint override', () => {
    const target: AwsTarget = { region: 'us-east-1', endpoints: { fis: 'http://127.0.0.1:1001' } };

    it('takes the per-service setting first, then the default, then AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL', () => {
      const env = { AWS_ENDPOINT_URL_ROUTE_53: 'http://127.0.0.1:3003', AWS_ENDPOINT_URL: 'http://127.0.0.1:4004' };
      expect(endpointFor(target, 'fis', env)).to.equal('http://127.0.0.1:1001');
      expect(endpointFor({ ...target, endpoints: { ...target.endpoints, default: 'http://127.0.0.1:2002' } }, 'route53', env)).to.equal('http://127.0.0.1:2002');
      expect(endpointFor(target, 'route53', env)).to.equal('http://127.0.0.1:3003');
      expect(endpointFor(target, 'cloudwatch', env)).to.equal('http://127.0.0.1:4004');
      expect(endpointFor(target, 'cloudwatch', {})).to.equal(undefined);
      expect(endpointFor(target, 'ecs', { AWS_ENDPOINT_URL_ECS: 'http://127.0.0.1:5005' })).to.equal('http://127.0.0.1:5005');
    });
  });

  describe('credentials from a named profile', () => {
    const saved = { ...process.env };
    let dir: string;

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'firedrill-aws-profile-'));
      writeFileSync(join(dir, 'credentials'), '[drill-staging]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = from-the-profile\n');
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
      process.env.AWS_CONFIG_FILE = join(dir, 'no-config');
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[key];
    });

    after(() => {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    });

    for (const make of [fisClient, route53Client, cloudWatchClient, dynamoDbClient, ecsClient, rdsClient, sqsClient, backupClient, lambdaClient, s3Client]) {
      it(`${make.name} reads the profile the environment names (and no other is defined)`, async () => {
        const client = make({ region: 'us-east-1', profile: 'drill-staging' });
        try {
          const credentials = await (client.config.credentials as () => Promise<{ accessKeyId: string }>)();
          expect(credentials.accessKeyId).to.equal('AKIDFROMPROFILE');
        } finally {
          client.destroy();
        }
      });
    }
  });
});
