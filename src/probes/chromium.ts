import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A Chromium to launch, and where it was found (for the drill's log and the error message). */
export interface ChromiumInstall {
  executablePath: string;
  args: string[];
  source: 'setting' | 'FIREDRILL_CHROMIUM' | 'playwright' | 'system' | '@sparticuz/chromium';
}

const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
/** Playwright's own browsers: the full Chromium first, then the headless shell. */
const PLAYWRIGHT_BUILDS: { prefix: string; binary: string[] }[] = [
  { prefix: 'chromium-', binary: ['chrome-linux', 'chrome'] },
  { prefix: 'chromium-', binary: ['chrome-linux64', 'chrome'] },
  { prefix: 'chromium_headless_shell-', binary: ['chrome-linux', 'headless_shell'] },
  { prefix: 'chromium_headless_shell-', binary: ['chrome-headless-shell-linux64', 'chrome-headless-shell'] },
];
/**
 * @sparticuz/chromium's flags are for serverless PDF printing: these would turn off the
 * browser's own security or run everything in one process (a probe wants a normal browser),
 * or render through SwiftShader's software GL, which costs CPU the drill's probes need.
 */
const DROPPED_SPARTICUZ_ARGS = /^--(disable-web-security|allow-running-insecure-content|single-process|headless|use-gl|use-angle|enable-unsafe-swiftshader|in-process-gpu|ignore-gpu-blocklist)\b/;

/**
 * Finds Chromium without downloading anything: an explicit setting, `FIREDRILL_CHROMIUM`,
 * Playwright's installed browsers, a Chrome or Chromium on PATH, then the browser the npm
 * package `@sparticuz/chromium` ships (unpacked into the temp folder on first use).
 */
export async function findChromium(explicit?: string, env: NodeJS.ProcessEnv = process.env): Promise<ChromiumInstall> {
  if (explicit) return { executablePath: mustExist(explicit, 'the probe\'s "chromium" setting'), args: [], source: 'setting' };
  if (env.FIREDRILL_CHROMIUM) return { executablePath: mustExist(env.FIREDRILL_CHROMIUM, 'FIREDRILL_CHROMIUM'), args: [], source: 'FIREDRILL_CHROMIUM' };
  const playwright = playwrightChromium(env.PLAYWRIGHT_BROWSERS_PATH ?? join(homedir(), '.cache', 'ms-playwright'));
  if (playwright) return { executablePath: playwright, args: [], source: 'playwright' };
  const system = onPath(env.PATH ?? '');
  if (system) return { executablePath: system, args: [], source: 'system' };
  try {
    const { default: sparticuz } = await import('@sparticuz/chromium');
    return { executablePath: await sparticuz.executablePath(), args: [...sparticuz.args.filter((arg) => !DROPPED_SPARTICUZ_ARGS.test(arg)), '--disable-gpu'], source: '@sparticuz/chromium' };
  } catch (error) {
    throw new Error(`no Chromium found: set FIREDRILL_CHROMIUM or the probe's "chromium" setting to a Chrome or Chromium binary (tried ~/.cache/ms-playwright, ${SYSTEM_NAMES.join(', ')} on PATH, and the npm package @sparticuz/chromium: ${(error as Error).message})`);
  }
}

function mustExist(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`${what}: no Chromium at ${path}`);
  return path;
}

function playwrightChromium(root: string): string | undefined {
  if (!existsSync(root)) return undefined;
  const builds = readdirSync(root).sort().reverse();
  for (const { prefix, binary } of PLAYWRIGHT_BUILDS) {
    for (const build of builds.filter((name) => name.startsWith(prefix))) {
      const path = join(root, build, ...binary);
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}

function onPath(path: string): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    for (const name of SYSTEM_NAMES) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}
