import { defineScenario } from '../src/index.js';

/**
 * The lab demo as a TypeScript scenario: the drill of `drills/lab-demo.yaml`, plus a customer
 * walking the shop journey in Chromium. A blackhole (drop) in front of the lab's primary app;
 * the lab's failover controller detects it (health alarm), decides (decision alarm over several
 * datapoints), and pins the PRIMARY record to the recovery Region. `${lab.x}` is filled from the
 * environment, as in YAML. Chromium must be started before the drill (`prepareBrowser()`): its
 * launch forks the process, which would otherwise stall the first samples.
 */
export default defineScenario({
  scenario: 'lab-demo',
  description: 'Primary Region outage on the lab; alarm-driven DNS failover to the recovery Region',
  environment: 'lab',
  faults: [
    { name: 'primary-region-outage', kind: 'blackhole', proxy: '${lab.proxyControl}', mode: 'drop', lease: '30s', verifyUrl: '${lab.primaryUrl}health' },
  ],
  // Shared with the YAML drills (probes/lab/): each is looked up from this file's folder upwards.
  probes: [
    { use: 'probes/lab/app.yaml' },
    { use: 'probes/lab/shop.yaml' },
    { use: 'probes/lab/recovery-region.yaml' },
  ],
  signals: [
    { use: 'probes/lab/primary-health-alarm.yaml' },
    { use: 'probes/lab/decision-alarm.yaml' },
    { use: 'probes/lab/primary-record.yaml' },
    { use: 'probes/lab/app-dns.yaml' },
  ],
  milestones: {
    detect: { signal: 'primary-health-alarm', becomes: 'ALARM' },
    decide: { signal: 'decision-alarm', becomes: 'ALARM' },
    recovered: { probe: 'app', region: 'us-west-2', consecutive: 5 },
  },
  // 5s: time for the browser to start and walk a journey. DNS must still answer the primary
  // before injecting: run `firedrill lab failback` after a drill.
  steadyState: { window: '5s', signals: { 'app-dns': '${lab.primaryAddress}' } },
  observe: { timeout: '30s', settle: '1s' },
  verify: { window: '5s', noFailback: { probe: 'app', region: 'us-west-2' } }, // whole journeys after the revert
  targets: {
    detection: '5s',
    decision: '5s',
    failover: '10s',
    rto: '15s',
    availability: '20%',
  },
  guardrails: { maxDuration: '90s' },
});
