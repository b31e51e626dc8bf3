// Loaded with --import: records every module URL the process resolves, one per line, in
// $FIREDRILL_IMPORT_LOG, so a test can say what `import { runScenario } from 'firedrill'` loads.
import { register } from 'node:module';

register(new URL('./record-imports-hooks.mjs', import.meta.url), { data: { log: process.env.FIREDRILL_IMPORT_LOG } });
