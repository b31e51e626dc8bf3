#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

// The AWS SDK warns once per process that its 2027 releases will need Node 22; we pin SDK
// versions that run on Node 20, so the warning is noise in every drill's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../src/cli/bin.ts');
