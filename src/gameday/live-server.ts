import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MilestoneTracker } from '../core/milestone-tracker.js';
import type { MilestoneRules } from '../core/milestones.js';
import { Timeline, type NoteEvent, type TimelineEvent } from '../core/timeline.js';
import { GameDayRefusal, type GameDayControls } from './game-day.js';
import { LIVE_PAGE } from './live-page.js';

/** What the live page shows, sent whenever it changed (at most every `SNAPSHOT_MS`). */
export interface LiveSnapshot {
  drillId: string;
  scenario: string;
  t: number;
  phase: string | null;
  probes: Record<string, { ok: boolean; t: number; latencyMs: number; region?: string; error?: string }>;
  milestones: ReturnType<MilestoneTracker['current']>;
  pending: ReturnType<GameDayControls['pending']>;
  /** Once the drill is over and its review open (`run --review`): the lessons and sign-offs so far. */
  review: ReturnType<GameDayControls['review']>;
}

export interface LiveServer {
  url: string;
  token: string;
  /** The page's address with its token: what to hand to the people watching. */
  pageUrl: string;
  close(): Promise<void>;
}

const SNAPSHOT_MS = 200;
const NOTE_KINDS: readonly string[] = ['observation', 'deviation', 'action'] satisfies NonNullable<NoteEvent['noteKind']>[];

/**
 * The drill's game-day server: the live page and its server-sent events (the timeline as it grows,
 * probe health, milestones with their bounds, the phase, waiting gates, the review once the drill
 * is over), and the calls `firedrill approve` / `note` / `lesson` / `signoff` and the page's
 * buttons make. Loopback unless told otherwise; every request carries the token (the page's
 * address includes it).
 */
export async function startLiveServer(options: { controls: GameDayControls; drillId: string; scenario: string; rules: MilestoneRules; host?: string }): Promise<LiveServer> {
  const { controls } = options;
  const token = randomBytes(18).toString('base64url');
  const timeline = new Timeline();
  const tracker = new MilestoneTracker(options.rules, timeline.samples);
  let phase: string | null = null;
  const probes: LiveSnapshot['probes'] = {};
  const watchers = new Set<(event: TimelineEvent) => void>();
  const unsubscribe = controls.subscribe((event) => {
    timeline.append(event);
    tracker.add(event);
    if (event.kind === 'phase' && event.state === 'start') phase = event.phase;
    if (event.kind === 'sample' && (probes[event.probe]?.t ?? -1) <= event.t) {
      probes[event.probe] = { ok: event.ok, t: event.t, latencyMs: event.latencyMs, ...(event.region ? { region: event.region } : {}), ...(event.error ? { error: event.error } : {}) };
    }
    for (const watcher of watchers) watcher(event);
  });
  const snapshot = (): LiveSnapshot => ({
    drillId: options.drillId, scenario: options.scenario, t: timeline.events.at(-1)?.t ?? 0,
    phase, probes, milestones: tracker.current(), pending: controls.pending(), review: controls.review(),
  });

  const server = createServer((req, res) => {
    if (!authorized(req, token)) return send(res, 401, { error: 'a token is required (the page address firedrill printed carries it)' });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(LIVE_PAGE);
    if (req.method === 'GET' && path === '/state') return send(res, 200, { ...snapshot(), events: timeline.events });
    if (req.method === 'GET' && path === '/events') return streamEvents(req, res);
    if (req.method === 'POST' && path === '/approve') return void handle(req, res, (body) => {
      controls.approve(text(body.gate, 'gate'), text(body.by, 'by'), body.via === 'page' ? 'page' : 'cli');
      return { approved: body.gate };
    });
    if (req.method === 'POST' && path === '/note') return void handle(req, res, (body) => {
      const noteKind = body.noteKind === undefined ? undefined : text(body.noteKind, 'noteKind');
      if (noteKind !== undefined && !NOTE_KINDS.includes(noteKind)) throw new GameDayRefusal(`noteKind: expected one of ${NOTE_KINDS.join(', ')}, got ${JSON.stringify(noteKind)}`);
      controls.note({
        message: text(body.message, 'message'), author: text(body.author, 'author'),
        ...(noteKind ? { noteKind: noteKind as NonNullable<NoteEvent['noteKind']> } : {}),
        ...(body.owner !== undefined ? { owner: text(body.owner, 'owner') } : {}),
        ...(body.due !== undefined ? { due: text(body.due, 'due') } : {}),
      });
      return { noted: true };
    });
    if (req.method === 'POST' && path === '/lesson') return void handle(req, res, (body) => {
      controls.lesson({ message: text(body.message, 'message'), author: text(body.author, 'author') });
      return { noted: true };
    });
    if (req.method === 'POST' && path === '/signoff') return void handle(req, res, (body) => {
      controls.signOff({ name: text(body.name, 'name'), role: text(body.role, 'role'), close: body.close === true });
      return { signed: true, closed: body.close === true };
    });
    send(res, 404, { error: `no such endpoint: ${req.method} ${path}` });
  });

  function streamEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const write = (name: string, data: unknown) => res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    for (const event of timeline.events) write('timeline', event);
    write('snapshot', snapshot());
    let dirty = false;
    const watcher = (event: TimelineEvent) => {
      dirty = true;
      if (event.kind !== 'sample') write('timeline', event);
    };
    // The review (opened when the drill is over, then its lessons and sign-offs) changes without a timeline event.
    let review = JSON.stringify(controls.review());
    const timer = setInterval(() => {
      const nowReview = JSON.stringify(controls.review());
      if (!dirty && nowReview === review) return;
      dirty = false;
      review = nowReview;
      write('snapshot', snapshot());
    }, SNAPSHOT_MS);
    watchers.add(watcher);
    req.on('close', () => {
      clearInterval(timer);
      watchers.delete(watcher);
    });
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  return {
    url,
    token,
    pageUrl: `${url}?token=${token}`,
    close: () => new Promise<void>((resolve) => {
      unsubscribe();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function authorized(req: IncomingMessage, token: string): boolean {
  const given = req.headers.authorization?.replace(/^Bearer /, '') ?? new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value.trim()) throw new GameDayRefusal(`${field}: expected a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

async function handle(req: IncomingMessage, res: ServerResponse, act: (body: Record<string, unknown>) => unknown): Promise<void> {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  try {
    const body = JSON.parse(raw || '{}') as unknown;
    if (!body || typeof body !== 'object') throw new GameDayRefusal('expected a JSON object');
    send(res, 200, act(body as Record<string, unknown>));
  } catch (error) {
    send(res, error instanceof GameDayRefusal || error instanceof SyntaxError ? 409 : 500, { error: (error as Error).message });
  }
}
