import type { AwsChange } from '../aws/change-log.js';
import type { Clock } from '../core/clock.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import { exactInstant, type Instant } from '../core/measurement.js';
import type { FaultEvent } from '../core/timeline.js';
import type { FaultContext, FaultKind } from '../faults/fault.js';
import { DrillAbort } from './guardrails.js';
import type { Journal, JournalEntry } from './journal.js';
import { instantRecord, type FaultRecord } from './result.js';
import { withDeadline } from './task-runner.js';

/** How long one revert (with its verification) may take before it counts as failed. */
export const REVERT_TIMEOUT_MS = 120_000;

/** A fault or recovery step this ledger applied, or adopted from the journal to revert it. */
interface Change {
  name: string;
  kind: FaultKind<unknown>;
  settings: unknown;
  drillId: string;
  section: 'fault' | 'step';
  record: FaultRecord;
  /** What revert needs; undefined until the change remembered something (then it may have changed something). */
  state?: JsonObject;
  stopRenewing?: () => void;
}

export interface RevertOutcome {
  name: string;
  kind: string;
  drillId: string;
  status: 'verified' | 'nothing-to-revert' | 'failed';
  error?: string;
}

export interface LedgerOptions {
  journal: Journal;
  environment: string;
  clock: Clock;
  /** Where the ledger reports what it does (the drill's timeline); cleanup has none. */
  record?(event: FaultEvent): void;
  log(line: string): void;
  /** Keeps the fault's own record after its revert (an FIS experiment), e.g. as a file. */
  keepEvidence?(name: string, evidence: JsonObject): void;
  revertTimeoutMs?: number;
  /** The drill's log of AWS changes, handed to every fault's context; cleanup has none. */
  awsChanges?: AwsChange[];
}

/**
 * Every change a drill makes to the system goes through here, and so does every undo — the
 * drill's and `firedrill cleanup`'s alike. The intent is journalled before a change is made,
 * leases are renewed while it lives, reverts run in reverse order, each under its own deadline
 * and verified, and only a verified revert leaves the journal.
 */
export class ChangeLedger {
  private readonly changes: Change[] = [];

  constructor(private readonly options: LedgerOptions) {}

  /** Applies a fault or step for `drillId`; throws a DrillAbort (or the abort's reason) when it cannot. */
  async apply(entry: { name: string; kind: string; settings: unknown }, kind: FaultKind<unknown>, section: 'fault' | 'step', drillId: string, signal: AbortSignal): Promise<void> {
    const change: Change = { name: entry.name, kind, settings: entry.settings, drillId, section, record: { name: entry.name, kind: entry.kind, injectedAt: null, revertedAt: null, verified: false } };
    this.changes.push(change);
    await this.journal(change, 'intent');
    this.event(change, { action: 'inject-intent' });
    const ctx = this.contextFor(change, signal, (state) => {
      change.state = { ...change.state, ...state };
      return this.journal(change, 'intent');
    });
    try {
      const injection = await kind.inject(entry.settings, ctx);
      change.state = { ...change.state, ...injection.state };
      await this.journal(change, 'injected');
      change.record.injectedAt = instantRecord(this.options.clock, injection.at);
      this.event(change, { action: 'injected', at: injection.at, ...(injection.detail ? { detail: injection.detail } : {}) });
      this.renewLease(change, ctx);
    } catch (error) {
      change.record.error = (error as Error).message;
      this.event(change, { action: 'failed', error: (error as Error).message });
      throw signal.aborted ? signal.reason : new DrillAbort(`${section} ${entry.name} could not be injected: ${(error as Error).message}`, 'inject-failed');
    }
  }

  /** Takes over journal entries a dead drill left, so that `revertAll` undoes them. */
  adopt(entry: JournalEntry, kind: FaultKind<unknown>): void {
    this.changes.push({
      name: entry.name, kind, settings: entry.settings, drillId: entry.drillId, section: 'fault',
      record: { name: entry.name, kind: entry.kind, injectedAt: null, revertedAt: null, verified: false },
      // An intent that remembered nothing never got as far as changing anything.
      ...(entry.status === 'intent' && Object.keys(entry.state).length === 0 ? {} : { state: entry.state }),
    });
  }

  /** Reverts every change not yet verified, newest first; a failed revert does not stop the others. */
  async revertAll(): Promise<RevertOutcome[]> {
    const outcomes: RevertOutcome[] = [];
    for (const change of [...this.changes].reverse()) {
      if (change.record.verified) continue;
      change.stopRenewing?.();
      const outcome = await this.revert(change);
      outcomes.push({ name: change.name, kind: change.record.kind, drillId: change.drillId, ...outcome });
    }
    return outcomes;
  }

  stopLeases(): void {
    for (const change of this.changes) change.stopRenewing?.();
  }

  records(section: 'fault' | 'step'): FaultRecord[] {
    return this.changes.filter((c) => c.section === section).map((c) => c.record);
  }

  allVerified(): boolean {
    return this.changes.every((c) => c.record.verified);
  }

  private async revert(change: Change): Promise<Pick<RevertOutcome, 'status' | 'error'>> {
    if (change.state === undefined) {
      change.record.verified = true;
      await this.journal(change, 'reverted');
      this.event(change, { action: 'verified', detail: { nothingToRevert: 'interrupted before it changed anything' } });
      return { status: 'nothing-to-revert' };
    }
    const timeoutMs = this.options.revertTimeoutMs ?? REVERT_TIMEOUT_MS;
    const deadline = AbortSignal.timeout(timeoutMs);
    const ctx = this.contextFor(change, deadline, async () => {});
    this.event(change, { action: 'revert-start' });
    const undo = async () => {
      const at = await change.kind.revert(change.settings, change.state!, ctx);
      const instant: Instant = at ?? exactInstant(this.options.clock.now());
      change.record.revertedAt = instantRecord(this.options.clock, instant);
      this.event(change, { action: 'reverted', at: instant });
      await change.kind.verifyReverted(change.settings, change.state!, ctx);
    };
    const what = `reverting ${change.record.kind} ${change.name}`;
    // A revert that ignores its signal is given up on all the same when the deadline passes.
    const settled = await withDeadline(undo(), timeoutMs, what);
    if (!settled.ok) {
      const message = deadline.aborted ? `${what} did not finish within ${timeoutMs}ms` : (settled.error as Error).message ?? String(settled.error);
      change.record.error = message;
      this.event(change, { action: 'revert-failed', error: message });
      return { status: 'failed', error: message };
    }
    change.record.verified = true;
    if (change.kind.evidence && this.options.keepEvidence) await this.keepEvidence(change, ctx);
    await this.journal(change, 'reverted');
    this.event(change, { action: 'verified' });
    return { status: 'verified' };
  }

  private async keepEvidence(change: Change, ctx: FaultContext): Promise<void> {
    try {
      this.options.keepEvidence!(change.name, await change.kind.evidence!(change.settings, change.state ?? {}, ctx));
    } catch (error) {
      this.options.log(`${change.name}: could not keep its evidence: ${(error as Error).message}`);
    }
  }

  private renewLease(change: Change, ctx: FaultContext): void {
    const { kind } = change;
    if (!kind.renewLease || !kind.leaseRenewEveryMs) return;
    const timer = setInterval(() => {
      kind.renewLease!(change.settings, change.state!, ctx).catch((error: Error) => this.options.log(`${change.name}: lease renewal failed: ${error.message}`));
    }, kind.leaseRenewEveryMs(change.settings));
    change.stopRenewing = () => clearInterval(timer);
  }

  /** Injecting stops when the drill is aborted; reverting must not, so it gets its own deadline. */
  private contextFor(change: Change, signal: AbortSignal, onRemember: (state: JsonObject) => Promise<void>): FaultContext {
    return {
      clock: this.options.clock,
      signal,
      drillId: change.drillId,
      log: (message) => this.options.log(`${change.name}: ${message}`),
      remember: (state) => onRemember(state),
      ...(this.options.awsChanges ? { awsChanges: this.options.awsChanges } : {}),
    };
  }

  private journal(change: Change, status: JournalEntry['status']): Promise<void> {
    return this.options.journal.record({
      drillId: change.drillId, environment: this.options.environment, name: change.name, kind: change.record.kind,
      settings: change.settings as JsonValue, state: change.state ?? {}, status,
    });
  }

  private event(change: Change, event: Omit<FaultEvent, 'kind' | 't' | 'fault' | 'faultKind'>): void {
    this.options.record?.({ kind: 'fault', t: this.options.clock.now(), fault: change.name, faultKind: change.record.kind, ...event });
  }
}
