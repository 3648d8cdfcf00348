/**
 * Integration: the action behind an HTTP proxy (test/support/proxy.ts, a real proxy on loopback).
 * HTTPS_PROXY / HTTP_PROXY (and their lower-case forms) send the calls through it, NO_PROXY sends
 * them direct, the proxy's credentials reach it as Proxy-Authorization and nobody else (masked,
 * redacted), and a proxy that refuses, wants credentials or is not there fails the step with one
 * error naming the proxy (never its password).
 *
 * Two origins: the simulator (http://127.0.0.1, the brief's case) and a self-signed https server
 * (test/support/tls.ts), the real-world case: the Topics API is https, so its calls must go through
 * a CONNECT tunnel. Nothing leaves loopback: the proxy refuses any other target. Counts and content
 * only: nothing here measures time.
 *
 * Where it runs: in process (the action's run() on a clock that never waits: backoff takes no time)
 * for the behaviour, the proxy running in this process as ever. On the bundle (`node dist/index.js`):
 * - every run that reaches the https server: the child trusts its certificate through
 *   NODE_EXTRA_CA_CERTS, which Node reads only at start-up (so the tunnel runs are the bundle's
 *   proof of the proxy path, NO_PROXY and the proxy's credentials too);
 * - a proxy refusing the tunnel to the https server (the failures' smoke test: the process's exit
 *   code, no stack trace on stderr, the password nowhere, stderr included);
 * - a proxy setting that is not a URL, with a password in it (the error it throws: no stack trace on
 *   the process's stderr, and the password not there either).
 * In process the https server is not trusted, so the https rows in process are only those the proxy
 * stops before any TLS: there, reaching the server is counted in TCP connections, not requests.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '../support/harness.ts';
import type { ActionRun, RunActionOptions } from '../support/harness.ts';
import { runInProcess } from '../support/in-process.ts';
import { basicAuth, startProxy, type ProxyOptions, type TestProxy } from '../support/proxy.ts';
import { startSelfSignedServer, type SelfSignedServer } from '../support/tls.ts';
import { creds, sim, useSimulator, closedPort as findClosedPort } from '../support/fixtures.ts';

useSimulator();

// ---- loopback pieces -------------------------------------------------------------------------

let tls: SelfSignedServer;
let caDir = '';
let caFile = '';
let closedPort = 0;
const proxies: TestProxy[] = [];

beforeAll(async () => {
  tls = await startSelfSignedServer();
  caDir = mkdtempSync(join(tmpdir(), 'hotline-proxy-ca-'));
  caFile = join(caDir, 'ca.pem');
  writeFileSync(caFile, tls.certificate);
  closedPort = await findClosedPort();
});

afterAll(async () => {
  await tls?.close();
  if (caDir) rmSync(caDir, { recursive: true, force: true });
});

afterEach(async () => {
  tls.reset();
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

async function proxy(options: ProxyOptions = {}): Promise<TestProxy> {
  const p = await startProxy(options);
  proxies.push(p);
  return p;
}

const USER = 'user';
const PASSWORD = 'p@ss';
const PASSWORD_ENCODED = 'p%40ss';
const withCreds = (p: TestProxy, password = PASSWORD_ENCODED): string =>
  `http://${USER}:${password}@127.0.0.1:${p.port}`;

const simHost = (): string => `127.0.0.1:${sim.port}`;

/** How a test runs the action: in process (the default) or the bundle. */
type Runner = (options: RunActionOptions) => Promise<ActionRun>;

const send = (
  env: Record<string, string>,
  inputs: Record<string, string> = {},
  via: Runner = runInProcess,
): Promise<ActionRun> =>
  via({ inputs: { ...creds(), user_id: '7', message: 'Through a proxy', retries: '0', ...inputs }, env });

const httpsInputs = (inputs: Record<string, string>): Record<string, string> => ({
  x_api_key: 'tls-x-api-key-0123',
  instance: 'tls-instance',
  api_key: 'tls-api-key-4567',
  endpoint: tls.url,
  user_id: '7',
  message: 'Through a tunnel',
  retries: '0',
  ...inputs,
});

/** On the bundle: the child trusts the test certificate (NODE_EXTRA_CA_CERTS, read only at start-up). */
const sendHttps = (env: Record<string, string>, inputs: Record<string, string> = {}): Promise<ActionRun> =>
  runAction({ inputs: httpsInputs(inputs), env: { NODE_EXTRA_CA_CERTS: caFile, ...env } });

/** In process, where nothing trusts the test certificate: only for runs the proxy stops before any TLS. */
const sendHttpsUntrusted = (env: Record<string, string>, inputs: Record<string, string> = {}): Promise<ActionRun> =>
  runInProcess({ inputs: httpsInputs(inputs), env });

const auditLines = (run: ActionRun): string[] => run.log.split('\n').filter((l) => /attempt \d+\/\d+/.test(l));

const noStackTrace = (run: ActionRun): void => {
  expect(run.stdout).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toMatch(/^\s+at /m);
};

/** Exit 1 with exactly one ::error:: line, which is returned. */
function failedOnce(run: ActionRun): string {
  expect(run.code, run.stdout + run.stderr).toBe(1);
  expect(run.errors).toHaveLength(1);
  noStackTrace(run);
  return run.errors[0]!;
}

/** Every place a person or a later step can read. */
const readable = (run: ActionRun): Array<[string, string]> => [
  ['log', run.log],
  ['stderr', run.stderr],
  ['summary', run.summary],
  ...Object.entries(run.outputs).map(([name, value]): [string, string] => [`output ${name}`, value]),
];

function expectNowhere(run: ActionRun, secrets: string[]): void {
  for (const [where, text] of readable(run)) {
    for (const secret of secrets) expect(text.includes(secret), `${secret} found in ${where}`).toBe(false);
  }
}

// ---- through the proxy -------------------------------------------------------------------------

describe('http endpoint (the simulator): the calls go through the proxy', () => {
  const cases: Array<[string, (url: string) => Record<string, string>]> = [
    ['HTTP_PROXY', (url) => ({ HTTP_PROXY: url })],
    ['http_proxy', (url) => ({ http_proxy: url })],
    ['HTTPS_PROXY and HTTP_PROXY', (url) => ({ HTTPS_PROXY: url, HTTP_PROXY: url })],
    ['https_proxy and http_proxy', (url) => ({ https_proxy: url, http_proxy: url })],
    [
      'http_proxy over HTTP_PROXY (lower case first; the upper-case one is a closed port)',
      (url) => ({ http_proxy: url, HTTP_PROXY: `http://127.0.0.1:${closedPort}` }),
    ],
  ];

  it.each(cases)('%s: the proxy carried the call, the simulator got it, the log says so', async (_name, env) => {
    const p = await proxy();
    const run = await send(env(p.url));

    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.errors).toEqual([]);
    // The proxy saw one request for the simulator (a tunnel or a forward), and the simulator got it.
    expect(p.records.map((r) => r.target)).toEqual([simHost()]);
    expect(sim.requests).toHaveLength(1);
    expect(sim.delivered).toEqual([expect.objectContaining({ user_id: 7, message: 'Through a proxy' })]);
    expect(run.log).toContain(`Through the proxy ${p.url}`);
    expect(run.outputs.topic_link).toBe(sim.delivered[0]!.topic_link);
  });

  it('as a CONNECT tunnel (src/http.ts: "undici\'s ProxyAgent (a CONNECT tunnel)"): the proxy recorded a CONNECT to the simulator', async () => {
    const p = await proxy();
    const run = await send({ HTTPS_PROXY: p.url, HTTP_PROXY: p.url });

    expect(run.code).toBe(0);
    expect(p.connects.map((r) => [r.target, r.status])).toEqual([[simHost(), 200]]);
    // A forwarding proxy reads the whole request, keys included: a tunnel shows it only bytes.
    expect(p.forwards).toEqual([]);
    expect(sim.requests).toHaveLength(1);
  });

  it('only HTTPS_PROXY set: an http endpoint is not proxied (HTTPS_PROXY is for https endpoints)', async () => {
    const p = await proxy();
    const run = await send({ HTTPS_PROXY: p.url });

    expect(run.code).toBe(0);
    expect(p.records).toEqual([]);
    expect(sim.requests).toHaveLength(1);
    expect(run.log).not.toContain('Through the proxy');
  });

  it('several recipients share the proxy: each call goes through it, each delivered once', async () => {
    const p = await proxy();
    const run = await send({ HTTP_PROXY: p.url }, { user_id: '7, 8, 9', concurrency: '3', rate_limit: '6000' });

    expect(run.code).toBe(0);
    expect(p.records.length).toBeGreaterThanOrEqual(1);
    expect(p.records.every((r) => r.target === simHost())).toBe(true);
    expect(sim.delivered.map((d) => d.user_id).sort()).toEqual([7, 8, 9]);
  });

  it('dry run: no proxy is used, nothing is sent, no "Through the proxy" line', async () => {
    const p = await proxy();
    const run = await send({ HTTP_PROXY: p.url }, { dry_run: 'true' });

    expect(run.code).toBe(0);
    expect(p.records).toEqual([]);
    expect(sim.requests).toEqual([]);
    expect(run.log).not.toContain('Through the proxy');
  });
});

describe('proxy credentials', () => {
  it('http://user:p%40ss@…: the proxy saw Basic user:p@ss; the password is masked and shown nowhere', async () => {
    const p = await proxy({ auth: { user: USER, password: PASSWORD } });
    const url = withCreds(p);
    const run = await send({ HTTPS_PROXY: url, HTTP_PROXY: url });

    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(p.records.map((r) => r.authorization)).toEqual([basicAuth(USER, PASSWORD)]);
    expect(sim.delivered).toHaveLength(1);
    // What the proxy saw must not reach the API.
    expect(sim.requests[0]!.headers['proxy-authorization']).toBeUndefined();
    // Registered with the runner, in both forms.
    expect(run.masks).toContain(PASSWORD);
    expect(run.masks).toContain(PASSWORD_ENCODED);
    expectNowhere(run, [
      PASSWORD,
      PASSWORD_ENCODED,
      `${USER}:${PASSWORD}`,
      basicAuth(USER, PASSWORD).slice('Basic '.length),
    ]);
    // The log names the proxy, without user or password.
    expect(run.log).toContain(`Through the proxy http://***@127.0.0.1:${p.port}`);
    expect(run.log).not.toContain(`${USER}:`);
  });

  it('a long password with characters URL encoding changes: masked in both forms, shown nowhere', async () => {
    const password = 'S3cr#t/pass+word=ü?';
    const p = await proxy({ auth: { user: USER, password } });
    const url = withCreds(p, encodeURIComponent(password));
    const run = await send({ HTTP_PROXY: url }, { retries: '0' });

    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(p.records.map((r) => r.authorization)).toEqual([basicAuth(USER, password)]);
    expect(run.masks).toContain(password);
    expect(run.masks).toContain(encodeURIComponent(password));
    expectNowhere(run, [password, encodeURIComponent(password)]);
  });
});

describe('NO_PROXY: direct delivery, the proxy never asked', () => {
  const rows: Array<[string, string, 'ip' | 'localhost']> = [
    ['NO_PROXY=127.0.0.1', 'NO_PROXY=127.0.0.1', 'ip'],
    ['no_proxy=127.0.0.1', 'no_proxy=127.0.0.1', 'ip'],
    ['NO_PROXY=*', 'NO_PROXY=*', 'ip'],
    ['NO_PROXY=127.0.0.1:<simulator port>', 'NO_PROXY=127.0.0.1:PORT', 'ip'],
    ['NO_PROXY="example.org, 127.0.0.1"', 'NO_PROXY=example.org, 127.0.0.1', 'ip'],
    ['NO_PROXY=localhost (endpoint on localhost)', 'NO_PROXY=localhost', 'localhost'],
    ['NO_PROXY=*, endpoint on localhost', 'NO_PROXY=*', 'localhost'],
  ];

  it.each(rows)('%s', async (_name, assignment, host) => {
    const p = await proxy();
    const [name, value] = assignment.split('=') as [string, string];
    const endpoint = host === 'ip' ? sim.url : `http://localhost:${sim.port}/webhook/topic_action`;
    const run = await send(
      { HTTPS_PROXY: p.url, HTTP_PROXY: p.url, [name]: value.replace('PORT', String(sim.port)) },
      { endpoint },
    );

    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(p.records).toEqual([]);
    expect(sim.delivered).toHaveLength(1);
    expect(run.log).not.toContain('Through the proxy');
  });

  it('NO_PROXY=127.0.0.1:<another port>: the port does not match, so the proxy is used', async () => {
    const p = await proxy();
    const run = await send({ HTTP_PROXY: p.url, NO_PROXY: `127.0.0.1:${closedPort}` });

    expect(run.code).toBe(0);
    expect(p.records.map((r) => r.target)).toEqual([simHost()]);
    expect(sim.delivered).toHaveLength(1);
  });

  it('NO_PROXY=127.0.0.1 with the endpoint on localhost: names are compared, not addresses, so the proxy is used', async () => {
    const p = await proxy();
    const run = await send(
      { HTTP_PROXY: p.url, NO_PROXY: '127.0.0.1' },
      { endpoint: `http://localhost:${sim.port}/webhook/topic_action` },
    );

    expect(run.code).toBe(0);
    expect(p.records.map((r) => r.target)).toEqual([`localhost:${sim.port}`]);
    expect(sim.delivered).toHaveLength(1);
  });
});

// ---- a proxy that says no -------------------------------------------------------------------

/** The two origins the failure rows run against. */
const ORIGINS: Array<[string, 'http' | 'https']> = [
  ['http endpoint (simulator)', 'http'],
  ['https endpoint (CONNECT tunnel)', 'https'],
];

const target = (kind: 'http' | 'https'): string => (kind === 'http' ? simHost() : `127.0.0.1:${tls.port}`);
/**
 * What reached the origin: the simulator's requests; for the https server its TCP connections (a
 * request needs one): in process the certificate is not trusted, so a tunnel let through by mistake
 * would end in a refused handshake, never a request, but still in a connection.
 */
const reachedOrigin = (kind: 'http' | 'https'): number => (kind === 'http' ? sim.requests.length : tls.connections);

/**
 * In process, or (`bundle`) the bundled action; an https run on the bundle trusts the test certificate,
 * so nothing but the proxy stands between it and the server.
 */
function sendTo(
  kind: 'http' | 'https',
  proxyUrl: string,
  inputs: Record<string, string> = {},
  via: 'in process' | 'bundle' = 'in process',
): Promise<ActionRun> {
  const env = { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl };
  if (kind === 'http') return send(env, inputs, via === 'bundle' ? runAction : runInProcess);
  return via === 'bundle' ? sendHttps(env, inputs) : sendHttpsUntrusted(env, inputs);
}

describe.each(ORIGINS)('%s: failures at the proxy', (_name, kind) => {
  it('a proxy that refuses (403): exit 1, one error naming the proxy (no credentials) and 403; not retried', async () => {
    const p = await proxy({ refuse: 403 });
    // The https row runs on the bundle: the smoke test of the failures at the proxy (the process's exit
    // code and stderr), with the certificate trusted, so only the proxy keeps the call from the server.
    const run = await sendTo(
      kind,
      withCreds(p, 'refusedPw9'),
      { retries: '2' },
      kind === 'https' ? 'bundle' : 'in process',
    );

    const error = failedOnce(run);
    expect(error).toContain(`127.0.0.1:${p.port}`);
    expect(error).toMatch(/proxy/i);
    expect(error).toMatch(/\b403\b/);
    expect(error).not.toContain('refusedPw9');
    expectNowhere(run, ['refusedPw9']);
    expect(p.records).toHaveLength(1);
    expect(p.records[0]!.target).toBe(target(kind));
    expect(reachedOrigin(kind)).toBe(0);
    expect(auditLines(run)).toHaveLength(1);
  });

  it('a proxy that answers 502: retried, then one error naming the proxy and 502', async () => {
    const p = await proxy({ refuse: 502 });
    const run = await sendTo(kind, p.url, { retries: '1' });

    const error = failedOnce(run);
    expect(error).toContain(`127.0.0.1:${p.port}`);
    expect(error).toMatch(/proxy/i);
    expect(error).toMatch(/\b502\b/);
    expect(p.records).toHaveLength(2);
    expect(reachedOrigin(kind)).toBe(0);
    const audit = auditLines(run);
    expect(audit).toHaveLength(2);
    expect(audit[0]).toContain('attempt 1/2');
    expect(audit[1]).toContain('attempt 2/2');
  });

  it('a proxy that wants credentials, given none (407): the error names 407 and says it wants credentials', async () => {
    const p = await proxy({ auth: { user: USER, password: PASSWORD } });
    const run = await sendTo(kind, p.url, { retries: '2' });

    const error = failedOnce(run);
    expect(error).toMatch(/\b407\b/);
    expect(error).toMatch(/credentials/);
    expect(error).toContain(`127.0.0.1:${p.port}`);
    expect(p.records.map((r) => [r.authorization, r.status])).toEqual([[undefined, 407]]);
    expect(reachedOrigin(kind)).toBe(0);
  });

  it('wrong credentials (407): the error names 407; the wrong password is masked and shown nowhere', async () => {
    const p = await proxy({ auth: { user: USER, password: PASSWORD } });
    const run = await sendTo(kind, withCreds(p, 'wrongPw77'));

    const error = failedOnce(run);
    expect(error).toMatch(/\b407\b/);
    expect(p.records.map((r) => r.authorization)).toEqual([basicAuth(USER, 'wrongPw77')]);
    expect(run.masks).toContain('wrongPw77');
    expectNowhere(run, ['wrongPw77']);
  });

  it('a proxy port nothing listens on: retried (attempt lines), exit 1, the error names the proxy', async () => {
    const url = `http://${USER}:closedPw55@127.0.0.1:${closedPort}`;
    const run = await sendTo(kind, url, { retries: '2' });

    const error = failedOnce(run);
    expect(error).toContain(`127.0.0.1:${closedPort}`);
    expect(error).toMatch(/proxy/i);
    expectNowhere(run, ['closedPw55']);
    const audit = auditLines(run);
    expect(audit).toHaveLength(3);
    audit.forEach((line, i) => {
      expect(line).toContain(`attempt ${i + 1}/3`);
      expect(line).toContain(`127.0.0.1:${closedPort}`);
    });
    expect(run.log.split('\n').filter((l) => /retrying in/.test(l))).toHaveLength(2);
    expect(reachedOrigin(kind)).toBe(0);
  });

  it('fail_on_error false: the proxy failure is a warning naming the proxy, exit 0', async () => {
    const p = await proxy({ refuse: 403 });
    const run = await sendTo(kind, p.url, { fail_on_error: 'false' });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toContain(`127.0.0.1:${p.port}`);
    expect(run.outputs.error).toMatch(/\b403\b/);
  });
});

// ---- https through a tunnel: the real-world case -----------------------------------------------

describe('https endpoint through the proxy (a CONNECT tunnel)', () => {
  it('control: direct (NO_PROXY=127.0.0.1), the child trusts the test certificate', async () => {
    const p = await proxy();
    const run = await sendHttps({ HTTPS_PROXY: p.url, NO_PROXY: '127.0.0.1' });

    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(p.records).toEqual([]);
    expect(tls.requests).toBe(1);
  });

  it('HTTPS_PROXY: the proxy recorded one CONNECT to the server, the server got the request, exit 0', async () => {
    const p = await proxy();
    const run = await sendHttps({ HTTPS_PROXY: p.url });

    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.errors).toEqual([]);
    expect(p.connects.map((r) => [r.target, r.status])).toEqual([[`127.0.0.1:${tls.port}`, 200]]);
    expect(p.forwards).toEqual([]);
    expect(tls.requests).toBe(1);
    expect(run.log).toContain(`Through the proxy ${p.url}`);
    expect(run.outputs.topic_link).toBe('https://t.me/c/2101424779/5343');
  });

  it('https_proxy (lower case) with credentials: the CONNECT carried Basic user:p@ss; the password shown nowhere', async () => {
    const p = await proxy({ auth: { user: USER, password: PASSWORD } });
    const run = await sendHttps({ https_proxy: withCreds(p) });

    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(p.connects.map((r) => r.authorization)).toEqual([basicAuth(USER, PASSWORD)]);
    expect(tls.requests).toBe(1);
    expect(run.masks).toEqual(expect.arrayContaining([PASSWORD, PASSWORD_ENCODED]));
    expectNowhere(run, [PASSWORD, PASSWORD_ENCODED]);
  });

  it('only HTTP_PROXY set: an https endpoint falls back to it', async () => {
    const p = await proxy();
    const run = await sendHttps({ HTTP_PROXY: p.url });

    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(p.connects.map((r) => r.target)).toEqual([`127.0.0.1:${tls.port}`]);
    expect(tls.requests).toBe(1);
  });
});

// ---- a proxy setting that is not a URL -----------------------------------------------------------

describe('a proxy setting that is not a valid URL', () => {
  it('with a password in it: exit 1, one error about the proxy setting, no stack trace, the password shown nowhere', async () => {
    // On the bundle: the setting's error is thrown; the process's stderr must hold neither a stack
    // trace nor the password.
    const run = await send({ HTTP_PROXY: 'http://user:hunter2secret@proxy host:3128' }, {}, runAction);

    // First the leak (the worst part), then the shape of the failure.
    expectNowhere(run, ['hunter2secret']);
    expect(sim.requests).toEqual([]);
    const error = failedOnce(run);
    expect(error).toMatch(/proxy/i);
    expect(error).toMatch(/HTTPS?_PROXY/);
  });

  it('without a scheme (127.0.0.1:3128, as curl accepts it): exit 1, one error about the proxy setting, no stack trace', async () => {
    const p = await proxy();
    const run = await send({ HTTP_PROXY: `127.0.0.1:${p.port}` });

    // Either used as http://127.0.0.1:<port> (curl's reading), or refused with a clear error.
    if (run.code === 0) {
      expect(p.records.map((r) => r.target)).toEqual([simHost()]);
      return;
    }
    const error = failedOnce(run);
    expect(error).toMatch(/proxy/i);
    expect(error).toMatch(/HTTPS?_PROXY/);
  });
});
