/**
 * Runs the action in this process, through src/main.ts's `run()`, in the runner's files and
 * environment as harness.ts sets them up, with a clock that never waits: pacing, backoff and
 * Retry-After take no real time, and what they would have waited is recorded. The same ActionRun
 * comes back as from the bundle, so a test can check the same things; coverage counts.
 */
import { run } from '../src/main.js';
import type { Clock } from '../src/pacing.js';
import { inRunner, type ActionRun, type RunActionOptions } from './harness.ts';

/**
 * Virtual time that moves only when someone sleeps: a sleep resolves at once (after the current
 * microtasks) and moves the clock to its wake time, never back. Concurrent sleepers each see the
 * clock at or past their own wake time.
 */
export class InstantClock implements Clock {
  t = 0;
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];

  now = (): number => this.t;

  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    const wake = this.t + Math.max(0, ms);
    await Promise.resolve();
    this.t = Math.max(this.t, wake);
  };
}

export interface InProcessRun extends ActionRun {
  clock: InstantClock;
}

export async function runInProcess(options: RunActionOptions & { clock?: InstantClock } = {}): Promise<InProcessRun> {
  const clock = options.clock ?? new InstantClock();
  const result = await inRunner(options, async (env) => {
    let stdout = '';
    const code = await run({ env, write: (text) => void (stdout += text), clock });
    return { code, stdout, stderr: '' };
  });
  return { ...result, clock };
}
