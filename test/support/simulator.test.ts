import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { request as httpRequest } from 'node:http';
import { startSimulator, SIM_DEFAULTS } from './simulator.ts';
import type { Simulator } from './simulator.ts';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.reset();
});

interface PostOptions {
  headers?: Record<string, string>;
  url?: string;
  method?: string;
  rawBody?: string;
  signal?: AbortSignal;
}

function post(body: unknown, opts: PostOptions = {}): Promise<Response> {
  const method = opts.method ?? 'POST';
  return fetch(opts.url ?? sim.url, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': SIM_DEFAULTS.xApiKey, ...opts.headers },
    body: method === 'GET' || method === 'HEAD' ? undefined : (opts.rawBody ?? JSON.stringify(body)),
    redirect: 'manual',
    signal: opts.signal ?? AbortSignal.timeout(5000),
  });
}

const creds = { instance: SIM_DEFAULTS.instance, api_key: SIM_DEFAULTS.apiKey };
// An explicit `undefined` argument means "field absent" (JSON.stringify drops it), not the default.
const send = (userId: unknown, ...message: [unknown?]): Record<string, unknown> => ({
  action: 'incoming_in_topic',
  ...creds,
  user_id: userId,
  message: message.length > 0 ? message[0] : 'Hello',
});
const info = (topicId: unknown, ...groupId: [unknown?]): Record<string, unknown> => ({
  action: 'info_by_topic',
  ...creds,
  group_id: groupId.length > 0 ? groupId[0] : SIM_DEFAULTS.groupId,
  topic_id: topicId,
});

async function expectJson(res: Response, status: number, body: unknown): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await res.json()).toEqual(body);
}

describe('simulator basics', () => {
  it('listens on loopback with a random port and exposes its options', () => {
    expect(sim.origin).toBe(`http://127.0.0.1:${sim.port}`);
    expect(sim.url).toBe(`${sim.origin}/webhook/topic_action`);
    expect(sim.port).toBeGreaterThan(0);
    expect(sim.options).toEqual(SIM_DEFAULTS);
    expect(SIM_DEFAULTS).toEqual({
      xApiKey: 'sim-x-api-key-0123456789',
      instance: 'sim-instance-42',
      apiKey: 'sim-api-key-abcdef987654',
      groupId: '2101424779',
    });
  });

  it('accepts custom credentials and topics; reset() keeps topics', async () => {
    const other = await startSimulator({
      xApiKey: 'k1',
      instance: 'i1',
      apiKey: 'a1',
      groupId: '555',
      topics: [{ topic_id: 7, frontend_type: 'group', topic_title: 'Extra', frontend_chat_id: -1001 }],
    });
    try {
      expect(other.port).not.toBe(sim.port);
      const base = { instance: 'i1', api_key: 'a1' };
      const r1 = await post(
        { action: 'info_by_topic', ...base, group_id: '555', topic_id: 7 },
        { url: other.url, headers: { 'x-api-key': 'k1' } },
      );
      expect(r1.status).toBe(200);
      expect(await r1.json()).toMatchObject({
        topic_id: 7,
        topic_title: 'Extra',
        group_id: '555',
        frontend_chat_id: -1001,
      });
      const r2 = await post(
        { action: 'incoming_in_topic', ...base, user_id: 42, message: 'x' },
        { url: other.url, headers: { 'x-api-key': 'k1' } },
      );
      expect(await r2.json()).toMatchObject({
        chat_id: -100555,
        topic_link: 'https://t.me/c/555/5344',
        thread_id: 5344,
      });
      other.reset();
      expect(other.requests).toHaveLength(0);
      expect(other.delivered).toHaveLength(0);
      const r3 = await post(
        { action: 'info_by_topic', ...base, group_id: '555', topic_id: 5344 },
        { url: other.url, headers: { 'x-api-key': 'k1' } },
      );
      expect(await r3.json()).toMatchObject({ user_id: 42 });
      // seeds live in the configured group; default credentials are not accepted there
      expect(
        (
          await post(
            { action: 'info_by_topic', ...base, group_id: '555', topic_id: 5343 },
            { url: other.url, headers: { 'x-api-key': 'k1' } },
          )
        ).status,
      ).toBe(200);
      expect(
        (await post({ action: 'incoming_in_topic', ...base, user_id: 42, message: 'x' }, { url: other.url })).status,
      ).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('incoming_in_topic', () => {
  it('sends a message, and the same user keeps the same topic', async () => {
    const r1 = await post(send(1001, 'first'));
    expect(r1.status).toBe(200);
    const b1 = (await r1.json()) as Record<string, unknown>;
    expect(b1).toMatchObject({ result: 'message_sent', message: 'Message sent', chat_id: -1002101424779 });
    expect(typeof b1.thread_id).toBe('number');
    expect(b1.topic_link).toBe(`https://t.me/c/2101424779/${String(b1.thread_id)}`);

    const r2 = await post(send(1001, 'second'));
    const b2 = (await r2.json()) as Record<string, unknown>;
    expect(b2.thread_id).toBe(b1.thread_id);
    expect(b2.topic_link).toBe(b1.topic_link);

    const r3 = await post(send(1002, 'other user'));
    const b3 = (await r3.json()) as Record<string, unknown>;
    expect(b3.thread_id).not.toBe(b1.thread_id);

    expect(sim.delivered.map((d) => [d.user_id, d.message, d.thread_id])).toEqual([
      [1001, 'first', b1.thread_id],
      [1001, 'second', b1.thread_id],
      [1002, 'other user', b3.thread_id],
    ]);
    expect(sim.delivered[0]?.topic_link).toBe(b1.topic_link);
  });

  it('allocates thread ids from 5343 upwards, skipping existing topics, and reuses the seeded topic', async () => {
    const fresh = await startSimulator();
    try {
      const body = { ...creds, action: 'incoming_in_topic', message: 'hi' };
      const a = (await (await post({ ...body, user_id: 1 }, { url: fresh.url })).json()) as Record<string, unknown>;
      const b = (await (await post({ ...body, user_id: 2 }, { url: fresh.url })).json()) as Record<string, unknown>;
      const ada = (await (await post({ ...body, user_id: 123456789 }, { url: fresh.url })).json()) as Record<
        string,
        unknown
      >;
      expect([a.thread_id, b.thread_id, ada.thread_id]).toEqual([5344, 5345, 5343]);
    } finally {
      await fresh.close();
    }
  });

  it('accepts a message of exactly 4096 UTF-16 code units', async () => {
    const res = await post(send(1003, '😀'.repeat(2048)));
    expect(res.status).toBe(200);
    expect(sim.delivered[0]?.message).toHaveLength(4096);
  });
});

describe('info_by_topic', () => {
  it('returns the seeded user topic', async () => {
    await expectJson(await post(info(5343)), 200, {
      result: 'topic_info',
      group_id: '2101424779',
      topic_id: 5343,
      topic_link: 'https://t.me/c/2101424779/5343',
      topic_status: 'open',
      topic_title: 'Ada Lovelace',
      topic_last_date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      frontend_type: 'private',
      instance_name: SIM_DEFAULTS.instance,
      user_id: 123456789,
      user_name: 'Ada Lovelace',
      user_first_name: 'Ada',
      user_username: 'ada',
      user_lang: 'en',
    });
  });

  it('returns the seeded chat topic without user fields', async () => {
    const res = await post(info(5400));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      result: 'topic_info',
      group_id: '2101424779',
      topic_id: 5400,
      topic_link: 'https://t.me/c/2101424779/5400',
      topic_status: 'open',
      topic_title: 'Partners chat',
      frontend_type: 'group',
      frontend_chat_id: -1009876543210,
    });
    expect(Object.keys(body).filter((k) => k.startsWith('user_'))).toEqual([]);
  });

  it('finds a topic created by a send', async () => {
    const sent = (await (await post(send(777000111))).json()) as { thread_id: number };
    const res = await post(info(sent.thread_id));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      result: 'topic_info',
      topic_id: sent.thread_id,
      frontend_type: 'private',
      user_id: 777000111,
      topic_status: 'open',
    });
  });

  it('answers 404 for an unknown topic (or unknown group)', async () => {
    await expectJson(await post(info(999999)), 404, { result: 'error', message: 'Topic not found' });
    await expectJson(await post(info(5343, '1111111111')), 404, { result: 'error', message: 'Topic not found' });
  });
});

describe('error shapes', () => {
  it('401 on missing or wrong X-API-KEY', async () => {
    const shape = { status: 'error', message: 'Invalid or missing X-API-KEY', data: null };
    await expectJson(await post(send(1), { headers: { 'x-api-key': 'nope' } }), 401, shape);
    const res = await fetch(sim.url, { method: 'POST', body: JSON.stringify(send(1)) });
    await expectJson(res, 401, shape);
  });

  it('404 n8n-style on a wrong path', async () => {
    await expectJson(await post(send(1), { url: `${sim.origin}/webhook/nope` }), 404, {
      code: 404,
      message: 'The requested webhook "POST /webhook/nope" is not registered.',
    });
  });

  it('405 on a method other than POST', async () => {
    const res = await post(undefined, { method: 'GET' });
    expect(res.headers.get('allow')).toBe('POST');
    await expectJson(res, 405, { status: 'error', message: 'Method not allowed', data: null });
    await expectJson(await post(send(1), { method: 'PUT' }), 405, {
      status: 'error',
      message: 'Method not allowed',
      data: null,
    });
  });

  it('400 when the body is not JSON (or empty)', async () => {
    await expectJson(await post(undefined, { rawBody: '{nope' }), 400, {
      result: 'error',
      message: 'Body must be JSON',
    });
    await expectJson(await post(undefined, { rawBody: '' }), 400, { result: 'error', message: 'Body must be JSON' });
  });

  it('403 on a wrong instance or api_key', async () => {
    const shape = { result: 'error', message: 'Connection not found: check instance and api_key' };
    await expectJson(await post({ ...send(1), instance: 'other' }), 403, shape);
    await expectJson(await post({ ...send(1), api_key: 'other' }), 403, shape);
    const { api_key: _omit, ...noKey } = send(1);
    await expectJson(await post(noKey), 403, shape);
  });

  it('400 on an unknown action', async () => {
    await expectJson(await post({ ...creds, action: 'delete_topic' }), 400, {
      result: 'error',
      message: 'Unknown action: delete_topic',
    });
  });

  it('422 on bad user_id', async () => {
    for (const bad of [undefined, '123', 0, -5, 1.5, null, 2 ** 60]) {
      const res = await post(send(bad));
      expect(res.status, String(bad)).toBe(422);
      const body = (await res.json()) as { result: string; message: string };
      expect(body.result).toBe('error');
      expect(body.message).toMatch(/user_id/);
    }
  });

  it('422 on bad message, naming its length when too long', async () => {
    for (const bad of [undefined, '', 42]) {
      const res = await post(send(5, bad));
      expect(res.status).toBe(422);
      expect(((await res.json()) as { message: string }).message).toMatch(/message/);
    }
    await expectJson(await post(send(5, 'a'.repeat(4097))), 422, {
      result: 'error',
      message: 'message is too long: 4097 characters (max 4096)',
    });
    expect(sim.delivered).toHaveLength(0);
  });

  it('422 on bad group_id / topic_id types', async () => {
    for (const [topicId, groupId, field] of [
      [5343, 2101424779, 'group_id'],
      [5343, '-1002101424779', 'group_id'],
      [5343, undefined, 'group_id'],
      ['5343', '2101424779', 'topic_id'],
      [undefined, '2101424779', 'topic_id'],
      [0, '2101424779', 'topic_id'],
    ] as const) {
      const res = await post(info(topicId, groupId));
      expect(res.status).toBe(422);
      const body = (await res.json()) as { result: string; message: string };
      expect(body.result).toBe('error');
      expect(body.message).toContain(field);
    }
  });

  it('413 above 1 MB of request body', async () => {
    const res = await post(undefined, { rawBody: JSON.stringify(send(1, 'x'.repeat(1024 * 1024 + 10))) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { result: string }).result).toBe('error');
  });
});

describe('faults', () => {
  it('status: default body and custom body/headers', async () => {
    sim.fail(
      { type: 'status', status: 503 },
      { type: 'status', status: 429, headers: { 'retry-after': '1' }, body: { oops: true } },
    );
    await expectJson(await post(send(1)), 503, { status: 'error', message: 'Service Unavailable', data: null });
    const res = await post(send(1));
    expect(res.headers.get('retry-after')).toBe('1');
    await expectJson(res, 429, { oops: true });
    sim.fail({ type: 'status', status: 500, body: 'plain failure' });
    const text = await post(send(1));
    expect(text.status).toBe(500);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await text.text()).toBe('plain failure');
    expect(sim.delivered).toHaveLength(0);
  });

  it('reset: the client sees a socket error', async () => {
    sim.fail({ type: 'reset' });
    await expect(post(send(1))).rejects.toThrow();
    expect(sim.requests[0]?.fault).toBe('reset');
    expect(sim.requests[0]?.status).toBeUndefined();
    // the queue is consumed: next request is normal
    expect((await post(send(1))).status).toBe(200);
  });

  it('reset-after-headers: headers arrive, the body read fails', async () => {
    sim.fail({ type: 'reset-after-headers' });
    const res = await post(send(1));
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(sim.requests[0]?.fault).toBe('reset-after-headers');
  });

  it('hang: the client aborts by its own timeout and close() still returns', async () => {
    const local = await startSimulator();
    local.fail({ type: 'hang' }, { type: 'hang' });
    const hung = post(send(1), { url: local.url, signal: AbortSignal.timeout(200) });
    await expect(hung).rejects.toThrow();
    // a second hung request still open while closing
    const pending = post(send(1), { url: local.url, signal: AbortSignal.timeout(5000) });
    pending.catch(() => {});
    while (local.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
    await local.close();
    await expect(pending).rejects.toThrow();
    expect(local.requests.map((r) => r.fault)).toEqual(['hang', 'hang']);
    expect(local.requests.every((r) => r.status === undefined)).toBe(true);
  });

  it('slow-body: the success body arrives whole', async () => {
    sim.fail({ type: 'slow-body', chunks: 5, intervalMs: 10 });
    const res = await post(send(2002));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: 'message_sent', message: 'Message sent' });
    expect(sim.delivered.map((d) => d.user_id)).toEqual([2002]);
  });

  it('html: an nginx error page', async () => {
    sim.fail({ type: 'html', status: 502 });
    const res = await post(send(1));
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const text = await res.text();
    expect(text).toContain('<title>502 Bad Gateway</title>');
    expect(text).toContain('nginx');
  });

  it('malformed-json: 200 JSON content type, unparseable body', async () => {
    sim.fail({ type: 'malformed-json' });
    const res = await post(send(1));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('empty: empty body, default 200', async () => {
    sim.fail({ type: 'empty' }, { type: 'empty', status: 502 });
    const a = await post(send(1));
    expect(a.status).toBe(200);
    expect(await a.text()).toBe('');
    const b = await post(send(1));
    expect(b.status).toBe(502);
    expect(await b.text()).toBe('');
  });

  it('json and result-error: arbitrary JSON', async () => {
    sim.fail(
      { type: 'json', body: { result: 'something_else' } },
      { type: 'json', status: 500, body: [1, 2] },
      { type: 'result-error', message: 'Bot was blocked by the user' },
    );
    await expectJson(await post(send(1)), 200, { result: 'something_else' });
    await expectJson(await post(send(1)), 500, [1, 2]);
    await expectJson(await post(send(1)), 200, { result: 'error', message: 'Bot was blocked by the user' });
    expect(sim.delivered).toHaveLength(0);
  });

  it('redirect: status and Location, not followed', async () => {
    sim.fail(
      { type: 'redirect', location: 'http://127.0.0.1:1/elsewhere' },
      { type: 'redirect', status: 301, location: '/moved' },
    );
    const a = await post(send(1));
    expect(a.status).toBe(307);
    expect(a.headers.get('location')).toBe('http://127.0.0.1:1/elsewhere');
    const b = await post(send(1));
    expect(b.status).toBe(301);
    expect(b.headers.get('location')).toBe('/moved');
  });

  it('echo: the request headers and body come back (including X-API-KEY)', async () => {
    sim.fail({ type: 'echo' });
    const res = await post(send(1, 'echo me'));
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain(SIM_DEFAULTS.xApiKey);
    expect(text).toContain(SIM_DEFAULTS.apiKey);
    const body = JSON.parse(text) as {
      result: string;
      message: string;
      request: { headers: Record<string, string>; body: string };
    };
    expect(body.result).toBe('error');
    expect(body.message).toBe('Bad request');
    expect(body.request.headers['x-api-key']).toBe(SIM_DEFAULTS.xApiKey);
    expect(JSON.parse(body.request.body)).toEqual(send(1, 'echo me'));
  });

  it('large: exactly that many bytes, small and multi-megabyte', async () => {
    sim.fail({ type: 'large', bytes: 3 * 1024 * 1024 + 7 }, { type: 'large', bytes: 5, status: 500 });
    const big = await post(send(1));
    expect(big.status).toBe(200);
    const buf = await big.arrayBuffer();
    expect(buf.byteLength).toBe(3 * 1024 * 1024 + 7);
    const small = await post(send(1));
    expect(small.status).toBe(500);
    expect(await small.text()).toBe('xxxxx');
  });

  it('delay: answers normally afterwards', async () => {
    sim.fail({ type: 'delay', ms: 20 });
    const res = await post(send(3003));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: 'message_sent' });
    expect(sim.requests[0]?.fault).toBe('delay');
    expect(sim.delivered).toHaveLength(1);
  });

  it('faults apply to any request, in queue order, one per request', async () => {
    sim.fail({ type: 'status', status: 500 }, { type: 'status', status: 502 });
    expect((await post(undefined, { url: `${sim.origin}/anything`, method: 'GET' })).status).toBe(500);
    expect((await post(info(5343), { headers: { 'x-api-key': 'wrong' } })).status).toBe(502);
    expect((await post(info(5343))).status).toBe(200);
    expect(sim.requests.map((r) => [r.fault, r.status])).toEqual([
      ['status', 500],
      ['status', 502],
      [undefined, 200],
    ]);
  });

  it('failFor affects only that user, and is consulted before the global queue', async () => {
    sim.failFor(4001, { type: 'status', status: 503 }, { type: 'result-error', message: 'blocked' });
    sim.fail({ type: 'status', status: 500 });
    // another user consumes the global fault, not 4001's
    expect((await post(send(4002))).status).toBe(500);
    expect((await post(send(4002))).status).toBe(200);
    // info_by_topic is not affected by per-user faults
    expect((await post(info(5343))).status).toBe(200);
    expect((await post(send(4001))).status).toBe(503);
    await expectJson(await post(send(4001)), 200, { result: 'error', message: 'blocked' });
    expect((await post(send(4001))).status).toBe(200);
    expect(sim.delivered.map((d) => d.user_id)).toEqual([4002, 4001]);
  });
});

describe('recording', () => {
  it('records every request in arrival order, with parsed body, status and fault', async () => {
    const before = Date.now();
    await post(send(6001, 'one'));
    await post(undefined, { rawBody: 'not json' });
    sim.fail({ type: 'status', status: 504 });
    await post(info(5343));
    expect(sim.requests).toHaveLength(3);
    const [a, b, c] = sim.requests;
    expect(a).toMatchObject({ method: 'POST', path: '/webhook/topic_action', status: 200, body: send(6001, 'one') });
    expect(a?.fault).toBeUndefined();
    expect(a?.rawBody).toBe(JSON.stringify(send(6001, 'one')));
    expect(a?.headers['x-api-key']).toBe(SIM_DEFAULTS.xApiKey);
    expect(a?.at).toBeGreaterThanOrEqual(before);
    expect(b).toMatchObject({ rawBody: 'not json', body: undefined, status: 400 });
    expect(c).toMatchObject({ fault: 'status', status: 504 });
    expect((a?.seq ?? 0) < (b?.seq ?? 0) && (b?.seq ?? 0) < (c?.seq ?? 0)).toBe(true);
    expect(sim.delivered).toEqual([
      {
        user_id: 6001,
        message: 'one',
        topic_link: expect.stringMatching(/^https:\/\/t\.me\/c\/2101424779\/\d+$/),
        thread_id: expect.any(Number),
        at: expect.any(Number),
      },
    ]);
  });

  it('latencyMs still answers normally', async () => {
    const slow = await startSimulator({ latencyMs: 15 });
    try {
      const res = await post(send(1), { url: slow.url });
      expect(res.status).toBe(200);
      expect(slow.delivered).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it('close() is idempotent', async () => {
    const s = await startSimulator();
    await Promise.all([s.close(), s.close()]);
    await s.close();
  });
});

describe('node:http client', () => {
  it('works with a plain node:http request', async () => {
    const payload = JSON.stringify(info(5400));
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        sim.url,
        { method: 'POST', headers: { 'x-api-key': SIM_DEFAULTS.xApiKey, 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
    expect(status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ topic_id: 5400, frontend_type: 'group' });
  });
});
