import { EXIT } from '../runtime/errors.js';
import { processIo } from './io.js';
import { main } from './main.js';

const exitCode = await main(process.argv.slice(2), processIo()).catch((error: Error) => {
  process.stderr.write(`firedrill: unexpected error: ${error.stack ?? error.message}\n`);
  return EXIT.errored;
});
process.exit(exitCode);
