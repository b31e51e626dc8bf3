import { formatDuration } from '../core/duration.js';
import type { TimelineEvent } from '../core/timeline.js';

/**
 * Live progress. On a terminal: one status line redrawn in place (phase, elapsed time, the last
 * samples of each probe). Elsewhere (CI logs): a plain line per phase, fault, signal change and
 * probe health change — never a line per sample.
 *
 * Each line is stamped with when the drill learned of the event (a sample when it answered, a
 * signal change when the poll came back), so the stamps never go back in time; when the event
 * itself lies earlier (a poll's bracket, a source's clock, a sample's send time) the line says so.
 */
export function createProgress(write: (text: string) => void, isTty: boolean): { onEvent(event: TimelineEvent): void; end(): void } {
  let phase = 'preflight';
  let lastT = 0;
  const recent = new Map<string, string>();
  const lastOk = new Map<string, { ok: boolean; t: number }>();
  let statusShown = false;

  const line = (text: string) => {
    if (isTty && statusShown) write('\r\x1b[2K');
    statusShown = false;
    write(`${formatDuration(lastT).padStart(7)}  ${text}\n`);
  };
  const status = () => {
    if (!isTty) return;
    const probes = [...recent.entries()].map(([name, marks]) => `${name} ${marks}`).join('  ');
    write(`\r\x1b[2K[${phase} ${formatDuration(lastT)}] ${probes}`);
    statusShown = true;
  };

  return {
    onEvent(event) {
      lastT = Math.max(lastT, knownAt(event));
      switch (event.kind) {
        case 'phase':
          if (event.state === 'start') phase = event.phase;
          line(`${event.phase} ${event.state === 'start' ? 'started' : `ended${event.outcome && event.outcome !== 'ok' ? ` (${event.outcome})` : ''}`}`);
          break;
        case 'fault':
          line(`fault ${event.fault} (${event.faultKind}): ${event.action}${event.error ? `: ${event.error}` : ''}`);
          break;
        case 'signal':
          line(`signal ${event.signal}: ${event.previous ?? '(first)'} -> ${event.state} (${event.source === 'source-clock' ? `at ${formatDuration(event.at.t)} by its own clock` : `between ${formatDuration(event.at.lower)} and ${formatDuration(event.at.upper)}`})`);
          break;
        case 'gate':
          line(`gate ${event.gate}: ${event.state}${event.by ? ` by ${event.by} (${event.via})` : ''}`);
          break;
        case 'note':
          line(`${event.noteKind ?? 'note'} by ${event.author ?? 'unknown'}: ${event.message}${event.owner ? ` [owner ${event.owner}${event.due ? `, due ${event.due}` : ''}]` : ''}`);
          break;
        case 'guardrail':
          line(`guardrail ${event.guardrail}: ${event.reason}`);
          break;
        case 'sample': {
          const marks = ((recent.get(event.probe) ?? '') + (event.ok ? '+' : 'x')).slice(-20);
          recent.set(event.probe, marks);
          const previous = lastOk.get(event.probe);
          // Samples answer out of order (a timeout lands after a later success): report in send order.
          if (previous && event.t < previous.t) break;
          lastOk.set(event.probe, { ok: event.ok, t: event.t });
          if (previous?.ok !== event.ok) {
            line(`probe ${event.probe}: ${event.ok ? 'ok' : 'FAILING'}${event.region ? ` (served by ${event.region})` : ''}${event.error ? ` — ${event.error}` : ''} (sent at ${formatDuration(event.t)})`);
          }
          break;
        }
        case 'canary':
          if (event.action === 'read') line(`canary ${event.canary}: newest surviving #${event.newestSeq ?? '-'}, ${event.lost ?? '?'} acknowledged write(s) lost`);
          break;
        default:
          break;
      }
      status();
    },
    end() {
      if (isTty && statusShown) write('\r\x1b[2K');
    },
  };
}

/** When the drill knew of an event: a sample once answered, a signal change once its poll came back. */
function knownAt(event: TimelineEvent): number {
  if (event.kind === 'sample') return event.t + event.latencyMs;
  if (event.kind === 'signal') return event.observedT;
  return event.t;
}
