/**
 * Runs the action in this process, as the runner would run it but without a child: the entry's own
 * `run()` (src/action/main.ts) on the GitHub host, which writes through @actions/core. The runner's
 * environment and files are set up as harness.ts sets them (process.env is swapped for the run),
 * what is written to stdout and stderr is captured, and time is a clock that never waits: pacing, backoff
 * and Retry-After take no real time, and what they would have waited is recorded. The same ActionRun
 * comes back as from the bundle, so a test checks the same things; coverage counts.
 *
 * One run at a time per worker (process.env and process.stdout are the process's): vitest runs a
 * file's tests one after another, and a worker's files one after another.
 */
import * as core from '@actions/core';
import { run } from '../../src/action/main.js';
import type { Clock } from '../../src/topics/pacing.js';
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

let running = false;

/** Replaces `stream.write` with one that appends to `into`; returns the original. */
function capture(stream: NodeJS.WriteStream, into: { text: string }): NodeJS.WriteStream['write'] {
  const original = stream.write;
  stream.write = ((chunk: string | Uint8Array) => {
    into.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof stream.write;
  return original;
}

/** Runs `fn` with process.env replaced by `env`, and what is written to stdout and stderr captured. */
export async function withProcess<T>(
  env: Record<string, string>,
  fn: () => Promise<T>,
): Promise<{ result: T; stdout: string; stderr: string; exitCode: number }> {
  if (running) throw new Error('runInProcess: one run at a time (process.env, stdout and stderr are shared)');
  running = true;
  const saved = { env: process.env, exitCode: process.exitCode };
  const out = { text: '' };
  const err = { text: '' };
  process.env = { ...env };
  process.exitCode = undefined;
  // core.summary remembers the first summary file it wrote to: one process here is many steps.
  (core.summary as unknown as { _filePath?: string })._filePath = undefined;
  const writes = { stdout: capture(process.stdout, out), stderr: capture(process.stderr, err) };
  try {
    const result = await fn();
    return { result, stdout: out.text, stderr: err.text, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.env = saved.env;
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.exitCode = saved.exitCode;
    running = false;
  }
}

export async function runInProcess(options: RunActionOptions & { clock?: InstantClock } = {}): Promise<InProcessRun> {
  const clock = options.clock ?? new InstantClock();
  const result = await inRunner(options, async (env) => {
    const { stdout, stderr, exitCode } = await withProcess(env, () => run({ clock }));
    return { code: exitCode, stdout, stderr };
  });
  return { ...result, clock };
}
