import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/errors.js';
import { RateLimiter } from '../../../src/topics/pacing.js';
import { Redactor } from '../../../src/redact.js';
import { apiMessage, MAX_RESPONSE_BYTES } from '../../../src/topics/answers.js';
import { TopicsClient, type TopicsClientOptions } from '../../../src/topics/client.js';
import { startSimulator, type Simulator } from '../../support/simulator.ts';

let sim: Simulator;
let client: TopicsClient | undefined;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());
afterEach(async () => {
  await client?.close();
  client = undefined;
});

const USER = 42;

interface Harness {
  client: TopicsClient;
  delays: number[];
  log: string[];
  /** The audit lines, one per attempt. */
  attempts: () => string[];
}

/** A client for the simulator with injected time: its clock's `sleep` records the delay and resolves at once. */
function makeClient(overrides: Partial<TopicsClientOptions> = {}): Harness {
  const delays: number[] = [];
  const log: string[] = [];
  const redactor = new Redactor();
  redactor.add(overrides.xApiKey ?? sim.options.xApiKey);
  redactor.add(overrides.apiKey ?? sim.options.apiKey);
  client = new TopicsClient({
    endpoint: sim.url,
    xApiKey: sim.options.xApiKey,
    instance: sim.options.instance,
    apiKey: sim.options.apiKey,
    timeoutMs: 5_000,
    retries: 3,
    redactor,
    log: { info: (line) => log.push(line), untrusted: (text) => log.push(text) },
    clock: { now: () => performance.now(), sleep: async (ms) => void delays.push(ms) },
    random: () => 0.5,
    ...overrides,
  });
  return { client, delays, log, attempts: () => log.filter((l) => / attempt \d+\/\d+/.test(l)) };
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

/** No key, in any form, in this text. */
function expectNoKey(text: string): void {
  for (const key of [sim.options.xApiKey, sim.options.apiKey]) {
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(0, 12));
  }
}

describe('TopicsClient: a normal send', () => {
  it('POSTs the documented request and returns what the API answered', async () => {
    const { client } = makeClient();
    const sent = await client.sendMessage(USER, 'Hello from CI ✅');
    expect(sent).toMatchObject({
      result: 'message_sent',
      topic_link: expect.stringMatching(/^https:\/\/t\.me\/c\/2101424779\/\d+$/),
    });
    expect(sent.chat_id).toBe(-1002101424779);
    expect(typeof sent.thread_id).toBe('number');
    expect(sim.requests).toHaveLength(1);
    const [request] = sim.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers['x-api-key']).toBe(sim.options.xApiKey);
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(request?.body).toEqual({
      action: 'incoming_in_topic',
      instance: sim.options.instance,
      api_key: sim.options.apiKey,
      user_id: USER,
      message: 'Hello from CI ✅',
    });
    expect(sim.delivered).toEqual([expect.objectContaining({ user_id: USER, message: 'Hello from CI ✅' })]);
  });

  it('logs one audit line per attempt, without keys', async () => {
    const h = makeClient();
    await h.client.sendMessage(USER, 'hi');
    expect(h.attempts()).toHaveLength(1);
    expect(h.attempts()[0]).toMatch(/^incoming_in_topic → user 42: attempt 1\/4: HTTP 200\b.*\b\d+ ms\)?$/);
    for (const line of h.log) expectNoKey(line);
  });
});

describe('TopicsClient: retries', () => {
  it.each([408, 425, 429, 500, 502, 503, 504])('retries HTTP %i, then succeeds', async (status) => {
    const h = makeClient();
    sim.fail({ type: 'status', status });
    const sent = await h.client.sendMessage(USER, 'hi');
    expect(sent.result).toBe('message_sent');
    expect(sim.requests).toHaveLength(2);
    expect(sim.delivered).toHaveLength(1);
    expect(h.delays).toEqual([500]);
    expect(h.attempts()).toEqual([
      expect.stringMatching(
        new RegExp(`^incoming_in_topic → user 42: attempt 1/4: HTTP ${status}\\b.*\\b\\d+ ms\\)?$`),
      ),
      expect.stringMatching(/^incoming_in_topic → user 42: attempt 2\/4: HTTP 200\b.*\b\d+ ms\)?$/),
    ]);
  });

  it('backs off with growing delays and gives up after retries + 1 attempts', async () => {
    const h = makeClient({ retries: 3 });
    sim.fail(...Array.from({ length: 5 }, () => ({ type: 'status' as const, status: 503 })));
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error).toMatchObject({ kind: 'http', status: 503, retryable: true });
    expect(error.message).toMatch(/^HTTP 503: Service Unavailable/);
    expect(sim.requests).toHaveLength(4);
    expect(sim.delivered).toHaveLength(0);
    expect(h.delays).toEqual([500, 1_000, 2_000]);
    expect(h.attempts().map((l) => /attempt (\d+\/\d+): HTTP (\d+)/.exec(l)?.slice(1))).toEqual([
      ['1/4', '503'],
      ['2/4', '503'],
      ['3/4', '503'],
      ['4/4', '503'],
    ]);
    expect(h.log.filter((l) => l.includes('retrying in'))).toHaveLength(3);
  });

  it('makes one attempt with retries 0', async () => {
    const h = makeClient({ retries: 0 });
    sim.fail({ type: 'status', status: 503 });
    await failure(h.client.sendMessage(USER, 'hi'));
    expect(sim.requests).toHaveLength(1);
    expect(h.attempts()).toEqual([expect.stringContaining('attempt 1/1: HTTP 503')]);
  });

  it('waits what Retry-After: 2 asks', async () => {
    const h = makeClient();
    sim.fail({ type: 'status', status: 429, headers: { 'retry-after': '2' } });
    await h.client.sendMessage(USER, 'hi');
    expect(h.delays).toEqual([2_000]);
    expect(sim.requests).toHaveLength(2);
    expect(h.log).toContain('incoming_in_topic → user 42: retrying in 2.0 s');
  });

  it('waits until a Retry-After HTTP date', async () => {
    const h = makeClient();
    sim.fail({ type: 'status', status: 503, headers: { 'retry-after': new Date(Date.now() + 10_000).toUTCString() } });
    await h.client.sendMessage(USER, 'hi');
    expect(h.delays).toHaveLength(1);
    expect(h.delays[0]).toBeGreaterThan(5_000);
    expect(h.delays[0]).toBeLessThanOrEqual(10_000);
  });

  it('retries at once for a Retry-After date in the past', async () => {
    const h = makeClient();
    sim.fail({ type: 'status', status: 503, headers: { 'retry-after': 'Thu, 01 Jan 2015 00:00:00 GMT' } });
    await h.client.sendMessage(USER, 'hi');
    expect(h.delays).toEqual([0]);
  });

  it('fails at once when Retry-After is longer than it waits', async () => {
    const h = makeClient();
    sim.fail({ type: 'status', status: 429, headers: { 'retry-after': '3600' } });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error).toMatchObject({ kind: 'retry-after', retryable: false, status: 429 });
    expect(error.message).toMatch(/retry after 3600 s/);
    expect(sim.requests).toHaveLength(1);
    expect(h.delays).toEqual([]);
  });

  it('retries a connection reset', async () => {
    const h = makeClient();
    sim.fail({ type: 'reset' });
    const sent = await h.client.sendMessage(USER, 'hi');
    expect(sent.result).toBe('message_sent');
    expect(sim.requests).toHaveLength(2);
    expect(h.attempts()[0]).toMatch(/attempt 1\/4: .*(reset|closed|ECONNRESET|UND_ERR_SOCKET)/);
  });

  it('a reset on the last attempt is a retryable network error', async () => {
    const h = makeClient({ retries: 0 });
    sim.fail({ type: 'reset' });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect(error.message).toContain(new URL(sim.url).host);
  });

  it('times out a hanging attempt and retries it', async () => {
    const h = makeClient({ timeoutMs: 300, retries: 1 });
    sim.fail({ type: 'hang' });
    const sent = await h.client.sendMessage(USER, 'hi');
    expect(sent.result).toBe('message_sent');
    expect(sim.requests).toHaveLength(2);
    expect(h.attempts()[0]).toMatch(/attempt 1\/2: no answer from .* within 0\.3 s \(timeout\)/);
  });

  it('a timeout is kind timeout, retryable', async () => {
    const h = makeClient({ timeoutMs: 300, retries: 0 });
    sim.fail({ type: 'hang' });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(error.message).toMatch(/within 0\.3 s \(timeout\)/);
  });

  it('refused connections are a retryable network error naming the host', async () => {
    const closed = await startSimulator();
    const url = closed.url;
    await closed.close();
    const h = makeClient({ endpoint: url, retries: 1 });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect(error.message).toMatch(/refused/);
    expect(h.attempts()).toHaveLength(2);
    expect(h.delays).toEqual([500]);
  });
});

describe('TopicsClient: failures that are not retried', () => {
  it.each([400, 401, 403, 404, 405, 409, 410, 413, 422, 501])('HTTP %i: one request', async (status) => {
    const h = makeClient();
    sim.fail({ type: 'status', status, body: { result: 'error', message: `refused with ${status}` } });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    // 401 and 403: the keys do not match (which key, the API's documents do not say).
    expect(error).toMatchObject({ kind: status === 401 || status === 403 ? 'keys' : 'http', status, retryable: false });
    expect(error.message).toBe(`HTTP ${status}: refused with ${status}`);
    expect(sim.requests).toHaveLength(1);
    expect(h.delays).toEqual([]);
  });

  it("a wrong X-API-KEY shows the API's own words", async () => {
    const h = makeClient({ xApiKey: 'wrong-x-api-key-000' });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error.message).toBe('HTTP 401: Invalid or missing X-API-KEY');
    expect(error.message).not.toContain('wrong-x-api-key-000');
    expect(sim.requests).toHaveLength(1);
  });

  it("a wrong instance or api_key shows the API's own words", async () => {
    const h = makeClient({ apiKey: 'wrong-api-key-000' });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error.message).toBe('HTTP 403: Connection not found: check instance and api_key');
  });

  it.each([401, 403])('after an HTTP %i no call is made: the keys are the same for every call', async (status) => {
    const h = makeClient();
    sim.fail({ type: 'status', status, body: { message: 'keys do not match' } });
    const first = await failure(h.client.sendMessage(USER, 'hi'));
    expect(first).toMatchObject({ kind: 'keys', status });
    expect(h.client.keysRefused).toBe(first);
    for (const call of [
      h.client.sendMessage(USER + 1, 'hi'),
      h.client.topicInfo({ group_id: '2101424779', topic_id: 5343 }),
    ]) {
      const later = await failure(call);
      expect(later).toMatchObject({ kind: 'not-sent', retryable: false });
      expect(later.message).toBe(`not sent: the API refused the keys (HTTP ${status}) on an earlier call`);
    }
    expect(sim.requests).toHaveLength(1);
    expect(h.attempts()).toHaveLength(1);
  });

  it('calls waiting for their turn when the keys are refused are let go at once, without a request', async () => {
    // rate_limit 1 a minute: each call after the first waits 60 s for its turn, unless it is let go.
    // The clock's timers wake the waiters every 50 ms, so the limiter looks again that often.
    const clock = {
      now: () => performance.now(),
      sleep: (ms: number) => new Promise<void>((done) => setTimeout(done, Math.min(ms, 50))),
    };
    const h = makeClient({ limiter: new RateLimiter(1, clock) });
    sim.fail({ type: 'status', status: 401 });
    const calls = [USER, USER + 1, USER + 2, USER + 3].map((user) =>
      h.client.sendMessage(user, 'hi').catch((e: unknown) => e as ApiError),
    );
    const errors = await Promise.all(calls);
    expect(errors.map((e) => e.kind)).toEqual(['keys', 'not-sent', 'not-sent', 'not-sent']);
    expect(sim.requests).toHaveLength(1);
  });

  it("200 with result error is a failure with the API's message, not retried", async () => {
    const h = makeClient();
    sim.fail({ type: 'result-error', message: 'User 42 has blocked the bot' });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error).toMatchObject({ kind: 'response', status: 200, retryable: false });
    expect(error.message).toBe("HTTP 200 with result 'error': User 42 has blocked the bot");
    expect(sim.requests).toHaveLength(1);
  });

  it('200 with another JSON answer is a failure', async () => {
    const h = makeClient();
    sim.fail({ type: 'json', body: { ok: true } });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error).toMatchObject({ kind: 'response', retryable: false });
    expect(error.message).toMatch(/^HTTP 200 with an unexpected answer/);
  });

  it('200 with a body that is not JSON is a failure, not retried', async () => {
    const h = makeClient();
    sim.fail({ type: 'malformed-json' });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error).toMatchObject({ kind: 'response', retryable: false });
    expect(error.message).toMatch(/^HTTP 200 but the body is not JSON/);
    expect(sim.requests).toHaveLength(1);
  });

  it('an empty 200 is a failure', async () => {
    const h = makeClient();
    sim.fail({ type: 'empty' });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error.message).toBe('HTTP 200 but the body is not JSON (empty body)');
  });

  it('an HTML error page is shown as its words, without tags', async () => {
    const h = makeClient();
    sim.fail({ type: 'html', status: 403 });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error.message).toBe('HTTP 403: 403 Forbidden 403 Forbidden nginx');
    expect(error.message).not.toMatch(/[<>]/);
  });

  it('an HTML 502 is retried, and its words shown when retries run out', async () => {
    const h = makeClient({ retries: 1 });
    sim.fail({ type: 'html', status: 502 }, { type: 'html', status: 502 });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error.message).toBe('HTTP 502: 502 Bad Gateway 502 Bad Gateway nginx');
    expect(sim.requests).toHaveLength(2);
  });

  it(`a body over ${MAX_RESPONSE_BYTES} bytes is refused, not buffered whole`, async () => {
    const h = makeClient();
    sim.fail({ type: 'large', bytes: 3 * 1024 * 1024 });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error).toMatchObject({ kind: 'response', retryable: false, status: 200 });
    expect(error.message).toBe(
      `HTTP 200 with a response body over ${MAX_RESPONSE_BYTES} bytes: not an answer of the Topics API`,
    );
    expect(error.message.length).toBeLessThan(500);
    expect(sim.requests).toHaveLength(1);
    // The client is still usable afterwards.
    expect((await h.client.sendMessage(USER, 'again')).result).toBe('message_sent');
  });

  it('a large error body is cut to a short excerpt', async () => {
    const h = makeClient({ retries: 0 });
    sim.fail({ type: 'large', bytes: 3 * 1024 * 1024, status: 500 });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error.status).toBe(500);
    expect(error.message.length).toBeLessThan(400);
  });

  it.each([301, 302, 303, 307, 308])('a %i redirect is not followed', async (status) => {
    const other = await startSimulator();
    try {
      const h = makeClient();
      sim.fail({ type: 'redirect', status, location: other.url });
      const error = await failure(h.client.sendMessage(USER, 'hi'));
      expect(error).toMatchObject({ kind: 'http', status, retryable: false });
      expect(error.message).toMatch(new RegExp(`^HTTP ${status} redirect to .*not followed`));
      expect(error.message).toContain("set 'endpoint' to the final URL");
      expect(sim.requests).toHaveLength(1);
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('a redirect location carrying a key is shown redacted', async () => {
    const h = makeClient();
    sim.fail({ type: 'redirect', location: `https://evil.example/steal?k=${sim.options.xApiKey}` });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expectNoKey(error.message);
    expect(error.message).toContain('https://evil.example/steal?k=***');
  });
});

describe('TopicsClient: keys never leave in an error or a log line', () => {
  it('a server echoing the whole request', async () => {
    const h = makeClient({ retries: 0 });
    sim.fail({ type: 'echo' });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expect(error.message).toMatch(/^HTTP 400/);
    expectNoKey(error.message);
    for (const line of h.log) expectNoKey(line);
  });

  it('a server echoing the keys where the message would be', async () => {
    const h = makeClient({ retries: 0 });
    sim.fail({
      type: 'json',
      status: 400,
      body: { request: { headers: { 'x-api-key': sim.options.xApiKey }, body: { api_key: sim.options.apiKey } } },
    });
    const error = await failure(h.client.sendMessage(USER, 'hi'));
    expectNoKey(error.message);
    expect(error.message.match(/\*\*\*/g)).toHaveLength(2);
  });

  it('keys in a plain-text error, an error message and a result', async () => {
    const h = makeClient({ retries: 0 });
    sim.fail(
      // (400: a 401 would stop the client's later calls, and this test needs three.)
      { type: 'status', status: 400, body: `key ${sim.options.xApiKey} is not valid` },
      { type: 'result-error', message: `api_key ${sim.options.apiKey} revoked` },
      { type: 'json', body: { result: `nope-${sim.options.apiKey}` } },
    );
    for (let i = 0; i < 3; i++) {
      const error = await failure(h.client.sendMessage(USER, 'hi'));
      expectNoKey(error.message);
      expect(error.message).toContain('***');
    }
  });
});

describe('apiMessage', () => {
  const redactor = new Redactor();
  const X_KEY = 'x-secret-key-"quoted"\\slash';
  const API_KEY = 'api-secret-key-0987';
  redactor.add(X_KEY);
  redactor.add(API_KEY);

  it.each([
    ['{"result":"error","message":"Connection not found"}', 'Connection not found'],
    [
      '{"code":404,"message":"The requested webhook \\"POST /x\\" is not registered."}',
      'The requested webhook "POST /x" is not registered.',
    ],
    ['{"status":"error","message":"Invalid or missing X-API-KEY","data":null}', 'Invalid or missing X-API-KEY'],
    ['{"error":"rate limited"}', 'rate limited'],
    ['{"error":{"message":"upstream timeout","code":504}}', 'upstream timeout'],
    ['"just a JSON string"', 'just a JSON string'],
    ['Service temporarily unavailable', 'Service temporarily unavailable'],
    ['  several\n\n  lines\tof   text  ', 'several lines of text'],
    ['', ''],
  ])('%s → %j', (body, expected) => {
    expect(apiMessage(body, redactor)).toBe(expected);
  });

  it('shows an HTML page as its words: no tags, no script, no style', () => {
    const html =
      '<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{color:red}</style>' +
      '<script>var token = "abc"; if (a < b) alert(1)</script></head>' +
      '<body><h1>Bad Gateway</h1><p>The upstream <b>did not</b> answer.</p><SCRIPT type="x">evil()</SCRIPT></body></html>';
    const text = apiMessage(html, redactor);
    expect(text).toBe('502 Bad Gateway Bad Gateway The upstream did not answer.');
    expect(text).not.toMatch(/[<>]|token|alert|color|evil/);
  });

  it('shows a JSON body without a message as JSON', () => {
    expect(apiMessage('{"foo":1,"bar":[true]}', redactor)).toBe('{"foo":1,"bar":[true]}');
    expect(apiMessage('[1,2]', redactor)).toBe('[1,2]');
  });

  it('cuts long text at 300 characters and ends it with …', () => {
    const text = apiMessage('word '.repeat(200), redactor);
    expect(text).toHaveLength(301);
    expect(text.endsWith('…')).toBe(true);
    expect(apiMessage('x'.repeat(300), redactor)).toBe('x'.repeat(300));
    expect(apiMessage(JSON.stringify({ message: 'y'.repeat(1000) }), redactor)).toBe(`${'y'.repeat(300)}…`);
  });

  it('hides the keys in every shape, also JSON-escaped or URL-encoded', () => {
    const bodies = [
      JSON.stringify({ message: `bad key ${X_KEY}` }),
      JSON.stringify({ error: { message: `bad key ${API_KEY}` } }),
      JSON.stringify({ echo: { 'x-api-key': X_KEY, api_key: API_KEY } }),
      JSON.stringify({ message: `raw body: ${JSON.stringify({ api_key: API_KEY, x: X_KEY })}` }),
      `plain ${X_KEY} and ${API_KEY}`,
      `<p>${X_KEY}</p>`,
      `GET /x?key=${encodeURIComponent(X_KEY)}`,
    ];
    for (const body of bodies) {
      const text = apiMessage(body, redactor);
      expect(redactor.finds(text), text).toBe(false);
      expect(text).not.toContain('x-secret-key');
      expect(text).not.toContain(API_KEY);
      expect(text).toContain('***');
    }
  });

  it('a key just at the cut is not left half visible', () => {
    const text = apiMessage(`${'z'.repeat(290)} ${API_KEY}`, redactor);
    expect(text).not.toContain(API_KEY.slice(0, 8));
  });
});
