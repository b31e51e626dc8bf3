// Writes the field reference (`npm run docs:reference`): the JSON Schemas of the scenario and
// the configuration file, and docs/reference.md, from the schemas of every built-in kind.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinKindSchemas } from '../src/runner/builtin-kinds.js';
import { referenceFiles } from '../src/scenario/field-reference.js';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const [path, content] of Object.entries(referenceFiles(builtinKindSchemas()))) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  console.log(`wrote ${path}`);
}
