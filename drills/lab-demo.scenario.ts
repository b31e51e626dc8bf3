import { defineScenario } from '../src/index.js';

/**
 * The lab demo as a TypeScript scenario: the same drill as `drills/lab-demo.yaml`. A blackhole
 * (drop) in front of the lab's primary app; the lab's failover controller detects it (health
 * alarm), decides (decision alarm over several datapoints), and pins the PRIMARY record to the
 * recovery Region. `${lab.x}` is filled from the environment, as in YAML.
 */
export default defineScenario({
  scenario: 'lab-demo',
  description: 'Primary Region outage on the lab; alarm-driven DNS failover to the recovery Region',
  environment: 'lab',
  faults: [
    { name: 'primary-region-outage', kind: 'blackhole', proxy: '${lab.proxyControl}', mode: 'drop', lease: '30s', verifyUrl: '${lab.primaryUrl}health' },
  ],
  probes: [
    {
      name: 'app', kind: 'http', url: '${lab.appUrl}', interval: '200ms', timeout: '500ms',
      region: { header: 'x-firedrill-region' },
      resolve: { nameservers: ['${lab.dns}'], ttl: 'honour' },
    },
    { name: 'recovery-region', kind: 'http', url: '${lab.recoveryUrl}health', interval: '500ms', timeout: '1s', userFacing: false, protected: { failures: 3 } },
  ],
  signals: [
    { name: 'primary-health-alarm', kind: 'cloudwatch-alarm', alarm: 'lab-primary-health', region: '${lab.primaryRegion}', interval: '250ms' },
    { name: 'decision-alarm', kind: 'cloudwatch-alarm', alarm: 'lab-failover-decision', region: '${lab.primaryRegion}', interval: '250ms' },
    { name: 'primary-record', kind: 'route53-record', hostedZoneId: '${lab.hostedZoneId}', recordName: '${lab.appName}', setIdentifier: 'primary', interval: '250ms' },
    { name: 'app-dns', kind: 'dns-answer', hostname: '${lab.appName}', nameservers: ['${lab.dns}'], interval: '250ms' },
  ],
  milestones: {
    detect: { signal: 'primary-health-alarm', becomes: 'ALARM' },
    decide: { signal: 'decision-alarm', becomes: 'ALARM' },
    recovered: { probe: 'app', region: 'us-west-2', consecutive: 5 },
  },
  // DNS must still answer the primary before injecting: run `firedrill lab failback` after a drill.
  steadyState: { window: '2s', signals: { 'app-dns': '${lab.primaryAddress}' } },
  observe: { timeout: '30s', settle: '1s' },
  verify: { window: '2s', noFailback: { probe: 'app', region: 'us-west-2' } },
  targets: {
    detection: '5s',
    decision: '5s',
    failover: '10s',
    rto: '15s',
    availability: '20%',
  },
  guardrails: { maxDuration: '90s' },
});
