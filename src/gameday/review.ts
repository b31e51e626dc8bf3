import type { ReviewRecord } from '../runner/result.js';
import { GameDayRefusal } from './refusal.js';

export type Lesson = Omit<ReviewRecord['lessons'][number], 'wall'>;
export interface SignOff { name: string; role: string; /** Closes the review: the record is complete. */ close?: boolean }

/** What the live view shows of the review: null until the drill is over. */
export interface ReviewState {
  open: boolean;
  outcome: string;
  lessons: ReviewRecord['lessons'];
  signOff: ReviewRecord['signOff'];
}

/**
 * The review after a drill: its faults are reverted and its lock released, its result assembled
 * but not yet written. Lessons and sign-offs are taken until someone signs off with `close`, the
 * timeout passes or the person running the drill interrupts; then the record goes into the result,
 * before `result.json` is written and its SHA-256 goes into the history.
 */
export class Review {
  private readonly lessons: ReviewRecord['lessons'] = [];
  private readonly signOffs: ReviewRecord['signOff'] = [];
  private closeNow: (() => void) | undefined;
  private openedAt = '';
  private outcome = '';

  constructor(private readonly now: () => Date = () => new Date()) {}

  get isOpen(): boolean {
    return this.closeNow !== undefined;
  }

  state(): ReviewState | null {
    return this.openedAt ? { open: this.isOpen, outcome: this.outcome, lessons: [...this.lessons], signOff: [...this.signOffs] } : null;
  }

  /** Resolves with the record when the review closes; at once when `interrupt` has already fired. */
  async hold(options: { outcome: string; timeoutMs: number; interrupt?: AbortSignal }): Promise<ReviewRecord> {
    this.openedAt = this.now().toISOString();
    this.outcome = options.outcome;
    const closedBy = await new Promise<ReviewRecord['closedBy']>((resolve) => {
      const { interrupt } = options;
      if (interrupt?.aborted) return resolve('interrupted');
      const finish = (how: ReviewRecord['closedBy']) => {
        clearTimeout(timer);
        interrupt?.removeEventListener('abort', onInterrupt);
        this.closeNow = undefined;
        resolve(how);
      };
      const onInterrupt = () => finish('interrupted');
      const timer = setTimeout(() => finish('timeout'), options.timeoutMs);
      interrupt?.addEventListener('abort', onInterrupt, { once: true });
      this.closeNow = () => finish('sign-off');
    });
    return { openedAt: this.openedAt, closedAt: this.now().toISOString(), closedBy, lessons: [...this.lessons], signOff: [...this.signOffs] };
  }

  addLesson(lesson: Lesson): void {
    this.requireOpen('a lesson');
    this.lessons.push({ ...lesson, wall: this.now().toISOString() });
  }

  signOff({ name, role, close }: SignOff): void {
    this.requireOpen('a sign-off');
    this.signOffs.push({ name, role, wall: this.now().toISOString() });
    if (close) this.closeNow!();
  }

  private requireOpen(what: string): void {
    if (this.isOpen) return;
    throw new GameDayRefusal(this.openedAt
      ? `the review is closed: ${what} can no longer go into the record`
      : `the drill is still running: ${what} goes into its review, which opens when the drill is over (firedrill run --review)`);
  }
}
