/**
 * Simulated time. Nothing in the simulator sleeps: waits advance this clock, and the account model
 * schedules its state transitions (an instance reaching `stopped`, status checks passing, an image
 * becoming `available`) as events on it. Advancing the clock runs every event that falls due, in
 * time order, with `now()` set to the event's own time.
 */

interface ScheduledEvent {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

export class VirtualClock {
  private current: number;
  private readonly events: ScheduledEvent[] = [];
  private seq = 0;

  /** @param start the simulated time at which the clock starts. */
  constructor(start: Date = new Date('2026-01-01T00:00:00.000Z')) {
    this.current = start.getTime();
  }

  /** The current simulated time, as a new `Date`. */
  now(): Date {
    return new Date(this.current);
  }

  /** The current simulated time in epoch milliseconds. */
  nowMs(): number {
    return this.current;
  }

  /** Runs `run` once the clock reaches `now + delayMs` (immediately-due events run on the next advance). */
  schedule(delayMs: number, run: () => void): void {
    this.events.push({ at: this.current + Math.max(0, delayMs), seq: this.seq++, run });
    this.events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /** Moves time forward by `ms`, running every event that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.current + Math.max(0, ms));
  }

  /** Moves time forward to `targetMs` (never backward), running due events in order. */
  advanceTo(targetMs: number): void {
    for (;;) {
      const next = this.events[0];
      if (next === undefined || next.at > targetMs) break;
      this.events.shift();
      this.current = Math.max(this.current, next.at);
      next.run();
    }
    this.current = Math.max(this.current, targetMs);
  }

  /** Runs the events already due at the current time (an API call sees a settled world). */
  settle(): void {
    this.advanceTo(this.current);
  }
}

/** Formats a time as SSM's `global:DATE_TIME` does: `yyyy-MM-dd_HH.mm.ss` (UTC). */
export function formatDateTime(time: Date): string {
  const iso = time.toISOString();
  return `${iso.slice(0, 10)}_${iso.slice(11, 13)}.${iso.slice(14, 16)}.${iso.slice(17, 19)}`;
}

/** Formats a time as SSM's `global:DATE` does: `yyyy-MM-dd` (UTC). */
export function formatDate(time: Date): string {
  return time.toISOString().slice(0, 10);
}
