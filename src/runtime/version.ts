import { readFileSync } from 'node:fs';

/** firedrill's own version, from its package.json: results and reports name the tool that made them. */
export const FIREDRILL_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
