/**
 * Virtual time for the benchmark. While installed, the global `setTimeout`/`clearTimeout` and
 * `Date.now` are replaced: timers go into a queue instead of the event loop, and a pump (driven by
 * the real `setImmediate`) fires the earliest one whenever the process has nothing else to do (the
 * microtask and nextTick queues drain before each `setImmediate` turn, and the fake AWS does no
 * I/O). So the fake's 50 ms latencies, the SDK's retry backoff and adaptive rate limiter (both use
 * the global `setTimeout` and `Date.now`) and the engine's deadline timers all cost no real time,
 * yet happen in the right order at the right simulated instant.
 */
interface Timer {
  readonly id: number;
  due: number;
  readonly seq: number;
  readonly fn: (...args: unknown[]) => void;
  readonly args: unknown[];
}

/** What the SDK and Node code may do with a timer handle. */
class FakeTimeout {
  constructor(
    readonly id: number,
    private readonly clock: VirtualClock,
  ) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  refresh(): this {
    this.clock.refresh(this.id);
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

const realSetImmediate = globalThis.setImmediate;
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realDateNow = Date.now;

export class VirtualClock {
  /** Simulated milliseconds since install. */
  private nowMs = 0;
  private base = 0;
  private nextId = 1;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();
  private readonly delays = new Map<number, number>();
  private installed = false;
  /** Called every `sampleEvery` pump turns (heap sampling). */
  onSample: (() => void) | undefined;
  sampleEvery = 50;

  now(): number {
    return this.nowMs;
  }

  install(): void {
    if (this.installed) return;
    this.installed = true;
    this.base = realDateNow();
    this.nowMs = 0;
    const fakeSetTimeout = (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const id = this.nextId++;
      const delay = Math.max(1, Number(ms) || 0);
      this.delays.set(id, delay);
      this.timers.set(id, { id, due: this.nowMs + delay, seq: this.seq++, fn, args });
      return new FakeTimeout(id, this);
    };
    const fakeClearTimeout = (handle: unknown) => {
      if (handle === undefined || handle === null) return;
      const id = Number(handle as number);
      this.timers.delete(id);
      this.delays.delete(id);
    };
    (globalThis as { setTimeout: unknown }).setTimeout = fakeSetTimeout;
    (globalThis as { clearTimeout: unknown }).clearTimeout = fakeClearTimeout;
    Date.now = () => this.base + this.nowMs;
  }

  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
    Date.now = realDateNow;
    this.timers.clear();
    this.delays.clear();
  }

  refresh(id: number): void {
    const timer = this.timers.get(id);
    if (timer) timer.due = this.nowMs + (this.delays.get(id) ?? 1);
  }

  /** A promise resolving after `ms` simulated milliseconds. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Awaits `work`, advancing simulated time whenever everything else is waiting on a timer. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let settled = false;
    let value: T | undefined;
    let failure: { error: unknown } | undefined;
    work().then(
      (result) => {
        settled = true;
        value = result;
      },
      (error: unknown) => {
        settled = true;
        failure = { error };
      },
    );
    let turns = 0;
    while (!settled) {
      await new Promise<void>((resolve) => realSetImmediate(resolve));
      turns += 1;
      if (this.onSample && turns % this.sampleEvery === 0) this.onSample();
      if (settled) break;
      const next = this.earliest();
      if (!next) {
        // Nothing scheduled: some real I/O (the SDK reading its config files) is pending.
        await new Promise<void>((resolve) => realSetTimeout(resolve, 1));
        continue;
      }
      this.timers.delete(next.id);
      this.delays.delete(next.id);
      if (next.due > this.nowMs) this.nowMs = next.due;
      next.fn(...next.args);
    }
    if (failure) throw failure.error;
    return value as T;
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers.values()) {
      if (!best || timer.due < best.due || (timer.due === best.due && timer.seq < best.seq)) best = timer;
    }
    return best;
  }
}
