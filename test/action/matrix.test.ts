/**
 * Integration: the fault matrix in one table. Each row is one way the network or the Topics API
 * (the simulator, or a loopback stand-in) can misbehave, run as the runner runs the action; the
 * expected outcome is in the row's name. Then the same table again as a secrets sweep: RUNNER_DEBUG
 * on, keys full of characters that JSON and URL encoding change, and no form of either key anywhere
 * a person or a later step can read.
 *
 * Rows run in process (the action's own `run()`, test/support/in-process.ts) on a clock that never
 * waits: pacing, backoff and Retry-After take no real time; the hang and slow-body rows use a 0.3 s
 * `timeout`, which is real. A row marked `bundle` runs the bundled action (`node dist/index.js`),
 * in both tables, because it is about the child process: the DNS row (the lookup fails inside the
 * child, test/support/dns-failure.mjs preloaded through NODE_OPTIONS, before any resolver is asked;
 * the preload's stderr proves it) and the self-signed TLS row (the child's own trust store, nothing
 * of this process's). The TLS control (trust through NODE_EXTRA_CA_CERTS, read when a process
 * starts) runs the bundle too. In process stderr is always empty: the checks on it (no stack trace,
 * no key) are made for real on those bundle runs. No traffic leaves loopback.
 * Counts, order and content only: nothing here measures real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readActionYml, ROOT, runAction, runnerEnv } from '../support/harness.ts';
import type { ActionRun, RunActionOptions } from '../support/harness.ts';
import { InstantClock, runInProcess } from '../support/in-process.ts';
import type { Fault } from '../support/simulator.ts';
import { creds, sim, useSimulator, keyForms, closedPort as findClosedPort } from '../support/fixtures.ts';
import { startSelfSignedServer, type SelfSignedServer } from '../support/tls.ts';

// ---- loopback stand-ins for the rows that do not talk to the simulator ----------------------

let closedPort = 0;
let tls: SelfSignedServer;

beforeAll(async () => {
  closedPort = await findClosedPort();
  tls = await startSelfSignedServer();
});

afterAll(async () => {
  await tls?.close();
});

const DNS_PRELOAD = pathToFileURL(join(ROOT, 'test', 'support', 'dns-failure.mjs')).href;
const FAKE_HOST = 'hotline.invalid';

// ---- the table -------------------------------------------------------------------------------

/** A check on the one ::error:: line: a substring, a pattern, or a pattern to be absent. */
type Expect = string | RegExp | { not: RegExp };

interface Case {
  name: string;
  /** Faults queued on the simulator, consumed one per request (made when the row runs). */
  faults?: () => Fault[];
  /** Where the action goes when it is not the simulator (read when the row runs). */
  endpoint?: () => string;
  env?: () => Record<string, string>;
  inputs?: Record<string, string>;
  code: 0 | 1;
  /** Audit lines (`attempt n/m`), i.e. requests the action started. */
  attempts: number;
  /** Requests the simulator saw; 0 for the rows that do not reach it. */
  requests: number;
  /** Messages the simulator accepted. */
  delivered: number;
  /** On the ::error:: line (exit 1 rows); it names the recipient (user 7) unless `keys` is set. */
  error?: Expect[];
  /** A refusal of the keys: the error says which keys to check instead of naming the recipient. */
  keys?: true;
  /** Anywhere in the log. */
  log?: Array<string | RegExp>;
  /** Anything else the row has to show. */
  check?: (run: ActionRun) => void;
  /** Runs the bundled action, not in process: why the child process matters to this row. */
  bundle?: string;
}

const apiSays = (status: number): string => `The API refuses this (${status})`;

const notRetried = (status: number): Case => ({
  name: `HTTP ${status} → not retried, fails with the API's message (exit 1)`,
  faults: () => [
    { type: 'status', status, headers: { 'retry-after': '0' }, body: { result: 'error', message: apiSays(status) } },
  ],
  code: 1,
  attempts: 1,
  requests: 1,
  delivered: 0,
  error: [`HTTP ${status}`, apiSays(status)],
});

const proxyPage = (status: number, words: string): Case => ({
  name: `HTML ${status} page from a proxy → retried, then fails with the page's words, no tags (exit 1)`,
  faults: () => [
    { type: 'html', status },
    { type: 'html', status },
  ],
  inputs: { retries: '1' },
  code: 1,
  attempts: 2,
  requests: 2,
  delivered: 0,
  error: [`HTTP ${status}`, `${status} ${words}`, 'nginx', { not: /<\/?[a-z!]/i }],
});

const CASES: Case[] = [
  {
    name: 'connection refused (a closed port) → retried, then fails naming the host (exit 1)',
    endpoint: () => `http://127.0.0.1:${closedPort}/webhook/topic_action`,
    inputs: { retries: '1' },
    code: 1,
    attempts: 2,
    requests: 0,
    delivered: 0,
    error: [/connection to 127\.0\.0\.1:\d+ refused/, 'ECONNREFUSED'],
    check: (run) => expect(run.errors[0]).toContain(`127.0.0.1:${closedPort}`),
  },
  {
    name: 'reset before headers → retried, delivered once (exit 0)',
    faults: () => [{ type: 'reset' }],
    inputs: { retries: '1' },
    code: 0,
    attempts: 2,
    requests: 2,
    delivered: 1,
    log: [/attempt 1\/2: connection to 127\.0\.0\.1:\d+ (reset|closed by the server)/, /attempt 2\/2: HTTP 200/],
  },
  {
    name: 'reset after headers → retried; at-least-once: delivered, here twice (exit 0)',
    faults: () => [{ type: 'reset-after-headers' }],
    inputs: { retries: '1' },
    code: 0,
    attempts: 2,
    requests: 2,
    delivered: 2,
    log: [/attempt 1\/2: connection to 127\.0\.0\.1:\d+ (reset|closed by the server)/, /attempt 2\/2: HTTP 200/],
  },
  {
    name: 'DNS failure → retried, then fails naming the host and DNS (exit 1)',
    endpoint: () => `https://${FAKE_HOST}/webhook/topic_action`,
    env: () => ({ NODE_OPTIONS: `--import ${DNS_PRELOAD}`, DNS_FAILURE_HOST: FAKE_HOST }),
    bundle: 'the lookup fails in the child, through a preload (NODE_OPTIONS) that reports on stderr',
    // rate_limit high: on the bundle the pacing between the attempts would be a real second.
    inputs: { retries: '1', rate_limit: '6000' },
    code: 1,
    attempts: 2,
    requests: 0,
    delivered: 0,
    error: [`host ${FAKE_HOST} not found (DNS)`, 'ENOTFOUND'],
    check: (run) => {
      // The failure came from the preload, once per attempt, not from a real resolver.
      const refused = run.stderr.split('\n').filter((l) => l === `[dns-failure] lookup ${FAKE_HOST} → ENOTFOUND`);
      expect(refused).toHaveLength(2);
    },
  },
  {
    name: "hung request (timeout '0.3') → timed out, retried, then fails saying no answer (timeout) (exit 1)",
    faults: () => [{ type: 'hang' }, { type: 'hang' }],
    inputs: { timeout: '0.3', retries: '1' },
    code: 1,
    attempts: 2,
    requests: 2,
    delivered: 0,
    error: [/no answer from 127\.0\.0\.1:\d+ within 0\.3 s \(timeout\)/],
  },
  {
    name: "slow body trickling past timeout ('0.3', each chunk in time) → timed out, retried, fails (exit 1); at-least-once: the server took both",
    // 10 chunks 90 ms apart: every wait for data is shorter than the timeout, the whole answer is not.
    faults: () => [
      { type: 'slow-body', chunks: 10, intervalMs: 90 },
      { type: 'slow-body', chunks: 10, intervalMs: 90 },
    ],
    inputs: { timeout: '0.3', retries: '1' },
    code: 1,
    attempts: 2,
    requests: 2,
    delivered: 2,
    error: [/no answer from 127\.0\.0\.1:\d+ within 0\.3 s \(timeout\)/],
  },
  proxyPage(502, 'Bad Gateway'),
  proxyPage(504, 'Gateway Timeout'),
  {
    name: 'empty 200 → not retried, fails saying the body is empty (exit 1)',
    faults: () => [{ type: 'empty' }],
    code: 1,
    attempts: 1,
    requests: 1,
    delivered: 0,
    error: ['HTTP 200', /empty/i],
  },
  {
    name: 'malformed JSON (200) → not retried, fails saying the body is not JSON (exit 1)',
    faults: () => [{ type: 'malformed-json' }],
    code: 1,
    attempts: 1,
    requests: 1,
    delivered: 0,
    error: ['HTTP 200', /not JSON/],
  },
  {
    name: 'JSON of the wrong shape (200) → not retried, fails as an unexpected answer (exit 1)',
    faults: () => [{ type: 'json', body: { ok: true, data: [1, 2, 3] } }],
    code: 1,
    attempts: 1,
    requests: 1,
    delivered: 0,
    error: ['HTTP 200', /unexpected answer/],
  },
  {
    name: `a 200 {"result":"error"} → not retried, fails with the API's message (exit 1)`,
    faults: () => [{ type: 'result-error', message: 'Topic is closed by the operator' }],
    code: 1,
    attempts: 1,
    requests: 1,
    delivered: 0,
    error: ["result 'error'", 'Topic is closed by the operator'],
  },
  ...[401, 403].map((status): Case => ({
    ...notRetried(status),
    name: `HTTP ${status} → the keys do not match: not retried, fails with the API's message and the keys to check (exit 1)`,
    keys: true,
    error: [
      `HTTP ${status}`,
      apiSays(status),
      /^The Topics API refused the keys \(.*\): check the owner token \(x_api_key\) and the connection's instance and api_key$/,
    ],
  })),
  ...[404, 405, 413, 422].map(notRetried),
  {
    name: '429 with Retry-After: 1 (seconds) → retried after the 1 s asked, delivered once (exit 0)',
    faults: () => [{ type: 'status', status: 429, headers: { 'retry-after': '1' } }],
    inputs: { retries: '1' },
    code: 0,
    attempts: 2,
    requests: 2,
    delivered: 1,
    log: [/attempt 1\/2: HTTP 429/, 'retrying in 1.0 s', /attempt 2\/2: HTTP 200/],
    // Waited on the virtual clock: the retry reached the server a full second after the 429 left it.
    check: () => expect(sim.requests[1]!.at - sim.requests[0]!.done!).toBeGreaterThanOrEqual(1_000),
  },
  {
    // The current second as an HTTP date: already due when the action reads it, so 0 ms, which a
    // random backoff would almost never give. (A later date has second resolution: "≤ 1 s" ahead
    // could not be told apart from a backoff in the log.)
    name: '429 with Retry-After as an HTTP date (now) → retried when the date says (0 ms), delivered once (exit 0)',
    faults: () => [{ type: 'status', status: 429, headers: { 'retry-after': new Date().toUTCString() } }],
    inputs: { retries: '1' },
    code: 0,
    attempts: 2,
    requests: 2,
    delivered: 1,
    log: [/attempt 1\/2: HTTP 429/, /retrying in 0 ms/, /attempt 2\/2: HTTP 200/],
  },
  {
    name: '429 without Retry-After → retried with backoff (under 1 s for the first retry), delivered once (exit 0)',
    faults: () => [{ type: 'status', status: 429 }],
    inputs: { retries: '1' },
    code: 0,
    attempts: 2,
    requests: 2,
    delivered: 1,
    log: [/attempt 1\/2: HTTP 429/, /retrying in \d{1,3} ms/, /attempt 2\/2: HTTP 200/],
  },
  {
    name: 'a 10 MB response body → cut at 1 MiB, not retried, fails clearly saying it is too big (exit 1)',
    faults: () => [{ type: 'large', bytes: 10 * 1024 * 1024 }],
    code: 1,
    attempts: 1,
    requests: 1,
    delivered: 0,
    error: [`over ${1024 * 1024} bytes`, 'not an answer of the Topics API'],
    check: (run) => {
      // None of the body made it into the log: one short line says what happened.
      expect(run.errors[0]!.length).toBeLessThan(300);
      expect(run.stdout).not.toMatch(/x{100}/);
      expect(run.stdout.length).toBeLessThan(16 * 1024);
    },
  },
  {
    name: 'a 307 redirect → not followed (one request), fails saying so (exit 1)',
    faults: () => [{ type: 'redirect', status: 307, location: 'http://localhost:1/webhook/topic_action' }],
    code: 1,
    attempts: 1,
    requests: 1,
    delivered: 0,
    error: ['HTTP 307 redirect', /not followed/],
  },
  {
    name: 'TLS to a self-signed loopback server → refused naming the certificate problem, not retried (exit 1)',
    endpoint: () => tls.url,
    bundle: "the child's own trust store: nothing this process trusts (NODE_EXTRA_CA_CERTS) applies",
    code: 1,
    attempts: 1,
    requests: 0,
    delivered: 0,
    error: [
      /TLS with 127\.0\.0\.1:\d+ failed/,
      /self[- ]signed certificate/,
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      /not trusted/,
    ],
    check: () => {
      expect(tls.connections).toBe(1);
      expect(tls.requests).toBe(0);
    },
  },
];

// ---- running a row ---------------------------------------------------------------------------

const auditLines = (run: ActionRun): string[] => run.log.split('\n').filter((l) => /attempt \d+\/\d+/.test(l));

async function runCase(c: Case, env: Record<string, string> = {}): Promise<ActionRun> {
  tls.reset();
  sim.fail(...(c.faults?.() ?? []));
  const inputs: Record<string, string> = { ...creds(), user_id: '7', message: 'Matrix test', ...c.inputs };
  if (c.endpoint) inputs.endpoint = c.endpoint();
  // A fresh object each time: nothing from this process's environment (NODE_EXTRA_CA_CERTS,
  // NODE_TLS_REJECT_UNAUTHORIZED) reaches the run; the harness passes PATH and what is given here
  // (in process, process.env is this environment for the run's duration).
  const options: RunActionOptions = { inputs, env: { ...c.env?.(), ...env } };
  if (c.bundle) return runAction({ ...options, killAfterMs: 30_000 });
  // The simulator times requests on the run's virtual clock.
  const clock = new InstantClock();
  sim.now = clock.now;
  return runInProcess({ ...options, clock });
}

function expectOutcome(c: Case, run: ActionRun): void {
  expect(run.code, run.stdout + run.stderr).toBe(c.code);
  // No stack trace outside ::debug:: lines, whatever the mode.
  for (const text of [run.stdout, run.stderr]) expect(text).not.toMatch(/^\s+at /m);

  const audit = auditLines(run);
  expect(audit, audit.join('\n')).toHaveLength(c.attempts);
  const total = Number(c.inputs?.retries ?? 3) + 1;
  audit.forEach((line, i) => expect(line).toContain(`attempt ${i + 1}/${total}`));

  expect(sim.requests).toHaveLength(c.requests);
  expect(sim.delivered).toHaveLength(c.delivered);

  if (c.code === 0) {
    expect(run.errors).toEqual([]);
    expect(run.outputs.error ?? '').toBe('');
    expect(run.outputs.topic_link).toBe(sim.delivered.at(-1)?.topic_link);
  } else {
    expect(run.errors).toHaveLength(1);
    const error = run.errors[0]!;
    if (!c.keys) expect(error).toContain('user 7');
    for (const e of c.error ?? []) {
      if (typeof e === 'string') expect(error).toContain(e);
      else if (e instanceof RegExp) expect(error).toMatch(e);
      else expect(error).not.toMatch(e.not);
    }
    // The error output says the same, and the results name the recipient that failed.
    expect(run.outputs.error).toBe(error);
    const results = JSON.parse(run.outputs.results ?? '[]') as Array<{ user_id: number; ok: boolean }>;
    expect(results.map((r) => [r.user_id, r.ok])).toEqual([[7, false]]);
  }
  for (const pattern of c.log ?? []) {
    if (typeof pattern === 'string') expect(run.log).toContain(pattern);
    else expect(run.log).toMatch(pattern);
  }
  c.check?.(run);
}

// ---- the matrix ------------------------------------------------------------------------------

describe('fault matrix (in process, or the bundled action where the child matters; simulator or loopback stand-in)', () => {
  useSimulator();

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const run = await runCase(c);
    expectOutcome(c, run);
  });

  it('no input can turn certificate verification off', () => {
    const names = Object.keys(readActionYml().inputs);
    expect(names.filter((n) => /insecure|skip|verify|reject|unauthori[sz]ed|cert|tls|ssl|ca_?file/i.test(n))).toEqual(
      [],
    );
  });

  it('control: the same TLS server, its certificate trusted through NODE_EXTRA_CA_CERTS, gets the message', async () => {
    // So the refusal above is about trust alone: the server itself answers a valid message_sent.
    const dir = mkdtempSync(join(tmpdir(), 'hotline-matrix-ca-'));
    try {
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, tls.certificate);
      tls.reset();
      const run = await runAction({
        inputs: { ...creds(), endpoint: tls.url, user_id: '7', message: 'Matrix test' },
        env: { NODE_EXTRA_CA_CERTS: ca },
      });
      expect(run.code, run.stdout).toBe(0);
      expect(tls.requests).toBe(1);
      expect(run.outputs.topic_link).toBe('https://t.me/c/2101424779/5343');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the child's environment carries no NODE_EXTRA_CA_CERTS or NODE_TLS_REJECT_UNAUTHORIZED", () => {
    const home = mkdtempSync(join(tmpdir(), 'hotline-matrix-'));
    try {
      const workspace = join(home, 'workspace');
      mkdirSync(workspace);
      const env = runnerEnv(workspace, { inputs: { endpoint: tls.url } });
      expect(Object.keys(env)).not.toContain('NODE_EXTRA_CA_CERTS');
      expect(Object.keys(env)).not.toContain('NODE_TLS_REJECT_UNAUTHORIZED');
      expect(env.NODE_OPTIONS).toBeUndefined();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

// ---- the secrets sweep -----------------------------------------------------------------------

/** printable ASCII (x_api_key travels in a header), with ", \, /, +, &, =, %, < > and a space. */
const X_API_KEY = `xk_5b"dq\\bs/sl+pl&amp=eq%25pc <lt> 'tick-owner`;
/** Anything but control characters (api_key travels in JSON): non-ASCII, quotes, ?, #, %2F. */
const API_KEY = `ak_ü"ключ\\/+&=%2F?#<b>'-conn 42`;

const KEY_FORMS = keyForms(X_API_KEY, API_KEY);

/** `files`: what the action left in RUNNER_TEMP (a dead letter, say), by name. */
function expectNoKeys(run: ActionRun, files: Record<string, string> = {}): void {
  const places: Array<[string, string]> = [
    ['log', run.log],
    ['stderr', run.stderr],
    ['summary', run.summary],
    ...Object.entries(run.outputs).map(([name, value]): [string, string] => [`output ${name}`, value]),
    ...Object.entries(files).map(([name, text]): [string, string] => [`RUNNER_TEMP/${name}`, text]),
  ];
  for (const [where, text] of places) {
    for (const [what, form] of KEY_FORMS) expect(text.includes(form), `${what} found in ${where}`).toBe(false);
  }
  expect(run.masks).toContain(X_API_KEY);
  expect(run.masks).toContain(API_KEY);
}

describe('secrets sweep: every row again with RUNNER_DEBUG and keys that escape differently', () => {
  useSimulator({ xApiKey: X_API_KEY, apiKey: API_KEY });

  it('the keys are the ones the simulator checks (baseline: a plain send works)', async () => {
    const run = await runInProcess({
      env: { RUNNER_DEBUG: '1' },
      inputs: { ...creds(), user_id: '7', message: 'Matrix test' },
    });

    expect(run.code).toBe(0);
    expect(sim.requests[0]!.headers['x-api-key']).toBe(X_API_KEY);
    expect((sim.requests[0]!.body as { api_key: string }).api_key).toBe(API_KEY);
    expectNoKeys(run);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    // RUNNER_TEMP outside the harness's folder (which it removes), so what the action keeps there
    // (the undelivered messages of a failed run) can be searched too.
    const temp = mkdtempSync(join(tmpdir(), 'hotline-matrix-temp-'));
    try {
      const run = await runCase(c, { RUNNER_DEBUG: '1', RUNNER_TEMP: temp });
      expectOutcome(c, run);
      const files = Object.fromEntries(readdirSync(temp).map((name) => [name, readFileSync(join(temp, name), 'utf8')]));
      if (run.outputs.dead_letter) expect(Object.keys(files)).toContain(basename(run.outputs.dead_letter));
      expectNoKeys(run, files);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });
});
