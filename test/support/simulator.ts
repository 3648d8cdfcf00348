/**
 * Local simulator of the Hotline CRM Topics API (v1), on node:http.
 *
 * Used by the integration tests, `scripts/demo.mjs` and the benchmarks. It
 * imports only `node:` built-ins and uses erasable TypeScript only, so Node 24
 * can load it directly with its built-in type stripping.
 *
 * Standalone: `node test/simulator.ts [--port N] [--latency MS]`.
 */
import { createServer, STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { realpathSync } from 'node:fs';

export interface SimulatorOptions {
  xApiKey?: string;
  instance?: string;
  apiKey?: string;
  host?: string;
  port?: number;
  latencyMs?: number;
  groupId?: string;
  topics?: SimTopic[];
}

export const SIM_DEFAULTS: { xApiKey: string; instance: string; apiKey: string; groupId: string } = Object.freeze({
  xApiKey: 'sim-x-api-key-0123456789',
  instance: 'sim-instance-42',
  apiKey: 'sim-api-key-abcdef987654',
  groupId: '2101424779',
});

export interface SimTopic {
  topic_id: number;
  group_id?: string;
  frontend_type: 'private' | 'group';
  topic_title: string;
  user_id?: number;
  user_name?: string;
  user_first_name?: string;
  user_username?: string;
  user_lang?: string;
  frontend_chat_id?: number;
  topic_status?: string;
}

export interface SimRequest {
  seq: number;
  /** The simulator's clock (`now`, Date.now() by default) when the request arrived */
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** parsed JSON, or undefined if empty / not JSON */
  body: unknown;
  /** the fault applied, if any */
  fault?: Fault['type'];
  /** status sent, if any */
  status?: number;
  /** The clock when the whole response was handed to the socket (responses sent by `send` only) */
  done?: number;
}

export interface Delivered {
  user_id: number;
  message: string;
  topic_link: string;
  thread_id: number;
  at: number;
}

export type Fault =
  | { type: 'status'; status: number; headers?: Record<string, string>; body?: string | object }
  | { type: 'reset' }
  | { type: 'reset-after-headers' }
  | { type: 'hang' }
  | { type: 'slow-body'; chunks?: number; intervalMs?: number }
  | { type: 'html'; status: number }
  | { type: 'malformed-json' }
  | { type: 'empty'; status?: number }
  | { type: 'json'; status?: number; body: unknown }
  | { type: 'result-error'; message: string }
  | { type: 'redirect'; status?: number; location: string }
  | { type: 'echo'; status?: number }
  | { type: 'large'; bytes: number; status?: number }
  | { type: 'delay'; ms: number };

export interface Simulator {
  /** http://127.0.0.1:<port>/webhook/topic_action */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  options: Required<Pick<SimulatorOptions, 'xApiKey' | 'instance' | 'apiKey' | 'groupId'>>;
  /** every request received, in arrival order */
  requests: SimRequest[];
  /** every message accepted (message_sent) */
  delivered: Delivered[];
  /** queue faults; each incoming request consumes the next one; empty queue = normal behaviour */
  fail(...faults: Fault[]): void;
  /** per-recipient queue, consulted first for incoming_in_topic with that user_id */
  failFor(userId: number, ...faults: Fault[]): void;
  /**
   * The clock requests and deliveries are timed by: Date.now() by default. A test that runs the
   * action on virtual time (test/support/in-process.ts's InstantClock) sets the same clock here, so
   * arrivals are in the time the action paces by. reset() puts Date.now back.
   */
  now: () => number;
  /** clear requests, delivered and fault queues (topics created so far are kept); the clock back to Date.now */
  reset(): void;
  /** destroy open sockets (hung requests) and close; never hangs */
  close(): Promise<void>;
}

const API_PATH = '/webhook/topic_action';
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_MESSAGE_LENGTH = 4096;
const FIRST_THREAD_ID = 5343;
const SEED_DATE = '2025-01-15T10:30:00.000Z';
const JSON_TYPE = 'application/json; charset=utf-8';

interface StoredTopic extends SimTopic {
  group_id: string;
  topic_status: string;
  topic_last_date: string;
}

interface Outcome {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function preview(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function seedTopics(): SimTopic[] {
  return [
    {
      topic_id: 5343,
      frontend_type: 'private',
      topic_title: 'Ada Lovelace',
      user_id: 123456789,
      user_name: 'Ada Lovelace',
      user_first_name: 'Ada',
      user_username: 'ada',
      user_lang: 'en',
    },
    {
      topic_id: 5400,
      frontend_type: 'group',
      topic_title: 'Partners chat',
      frontend_chat_id: -1009876543210,
    },
  ];
}

function nginxPage(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return (
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  );
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const creds = {
    xApiKey: options.xApiKey ?? SIM_DEFAULTS.xApiKey,
    instance: options.instance ?? SIM_DEFAULTS.instance,
    apiKey: options.apiKey ?? SIM_DEFAULTS.apiKey,
    groupId: options.groupId ?? SIM_DEFAULTS.groupId,
  };
  const host = options.host ?? '127.0.0.1';
  const latencyMs = options.latencyMs ?? 0;

  const requests: SimRequest[] = [];
  const delivered: Delivered[] = [];
  let faults: Fault[] = [];
  let userFaults = new Map<number, Fault[]>();
  let seq = 0;
  let closed = false;

  // ---- topics -------------------------------------------------------------
  const topics = new Map<string, StoredTopic>();
  const userTopics = new Map<number, StoredTopic>();
  const topicKey = (groupId: string, topicId: number): string => `${groupId}:${topicId}`;
  const addTopic = (t: SimTopic): StoredTopic => {
    const stored: StoredTopic = {
      ...t,
      group_id: t.group_id ?? creds.groupId,
      topic_status: t.topic_status ?? 'open',
      topic_last_date: SEED_DATE,
    };
    topics.set(topicKey(stored.group_id, stored.topic_id), stored);
    if (stored.frontend_type === 'private' && stored.user_id !== undefined) userTopics.set(stored.user_id, stored);
    return stored;
  };
  for (const t of [...seedTopics(), ...(options.topics ?? [])]) addTopic(t);

  let nextThreadId = FIRST_THREAD_ID;
  const topicForUser = (userId: number): StoredTopic => {
    const existing = userTopics.get(userId);
    if (existing) return existing;
    while (topics.has(topicKey(creds.groupId, nextThreadId))) nextThreadId++;
    return addTopic({
      topic_id: nextThreadId++,
      frontend_type: 'private',
      topic_title: `User ${userId}`,
      user_id: userId,
      user_name: `User ${userId}`,
      user_first_name: 'User',
      user_username: `user${userId}`,
      user_lang: 'en',
    });
  };
  const linkOf = (t: StoredTopic): string => `https://t.me/c/${t.group_id}/${t.topic_id}`;

  // ---- timers and sockets (so close() never hangs) -------------------------
  const sockets = new Set<Socket>();
  const sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      if (closed || ms <= 0) return resolve();
      const entry = {
        timer: setTimeout(() => {
          sleepers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      sleepers.add(entry);
    });

  // ---- normal behaviour -----------------------------------------------------
  const error = (status: number, message: string): Outcome => ({ status, body: { result: 'error', message } });

  const processNormal = (method: string, url: string, headers: IncomingHttpHeaders, body: unknown): Outcome => {
    let pathname: string;
    try {
      pathname = new URL(url, 'http://127.0.0.1').pathname;
    } catch {
      pathname = url;
    }
    if (pathname !== API_PATH) {
      return {
        status: 404,
        body: { code: 404, message: `The requested webhook "${method} ${pathname}" is not registered.` },
      };
    }
    if (method !== 'POST') {
      return {
        status: 405,
        body: { status: 'error', message: 'Method not allowed', data: null },
        headers: { allow: 'POST' },
      };
    }
    if (headers['x-api-key'] !== creds.xApiKey) {
      return { status: 401, body: { status: 'error', message: 'Invalid or missing X-API-KEY', data: null } };
    }
    if (body === undefined) return error(400, 'Body must be JSON');
    if (!isObject(body)) return error(400, 'Body must be a JSON object');
    if (body.instance !== creds.instance || body.api_key !== creds.apiKey) {
      return error(403, 'Connection not found: check instance and api_key');
    }
    const action = body.action;
    if (action === 'incoming_in_topic') return incomingInTopic(body);
    if (action === 'info_by_topic') return infoByTopic(body);
    return error(400, `Unknown action: ${typeof action === 'string' ? action : preview(action)}`);
  };

  const incomingInTopic = (body: JsonObject): Outcome => {
    const { user_id: userId, message } = body;
    if (userId === undefined) return error(422, 'user_id is required');
    if (!isPositiveInteger(userId)) {
      return error(422, `user_id must be a positive integer (JSON number), got ${preview(userId)}`);
    }
    if (message === undefined) return error(422, 'message is required');
    if (typeof message !== 'string') return error(422, `message must be a string, got ${preview(message)}`);
    if (message.length === 0) return error(422, 'message must not be empty');
    if (message.length > MAX_MESSAGE_LENGTH) {
      return error(422, `message is too long: ${message.length} characters (max ${MAX_MESSAGE_LENGTH})`);
    }
    const topic = topicForUser(userId);
    const now = sim.now();
    topic.topic_last_date = new Date(now).toISOString();
    const link = linkOf(topic);
    delivered.push({ user_id: userId, message, topic_link: link, thread_id: topic.topic_id, at: now });
    return {
      status: 200,
      body: {
        result: 'message_sent',
        topic_link: link,
        message: 'Message sent',
        chat_id: Number(`-100${topic.group_id}`),
        thread_id: topic.topic_id,
      },
    };
  };

  const infoByTopic = (body: JsonObject): Outcome => {
    const { group_id: groupId, topic_id: topicId } = body;
    if (groupId === undefined) return error(422, 'group_id is required');
    if (typeof groupId !== 'string' || !/^\d+$/.test(groupId)) {
      return error(422, `group_id must be a string of digits, got ${preview(groupId)}`);
    }
    if (topicId === undefined) return error(422, 'topic_id is required');
    if (!isPositiveInteger(topicId)) {
      return error(422, `topic_id must be a positive integer (JSON number), got ${preview(topicId)}`);
    }
    const topic = topics.get(topicKey(groupId, topicId));
    if (!topic) return error(404, 'Topic not found');
    const info: JsonObject = {
      result: 'topic_info',
      group_id: topic.group_id,
      topic_id: topic.topic_id,
      topic_link: linkOf(topic),
      topic_status: topic.topic_status,
      topic_title: topic.topic_title,
      topic_last_date: topic.topic_last_date,
      frontend_type: topic.frontend_type,
      instance_name: creds.instance,
    };
    if (topic.frontend_type === 'private') {
      info.user_id = topic.user_id;
      info.user_name = topic.user_name;
      if (topic.user_first_name !== undefined) info.user_first_name = topic.user_first_name;
      info.user_username = topic.user_username;
      info.user_lang = topic.user_lang;
    } else {
      info.frontend_chat_id = topic.frontend_chat_id;
    }
    return { status: 200, body: info };
  };

  // ---- response helpers -------------------------------------------------------
  const send = (
    res: ServerResponse,
    rec: SimRequest,
    status: number,
    payload: string | Buffer,
    headers: Record<string, string> = {},
  ): void => {
    if (res.destroyed || res.headersSent) return;
    rec.status = status;
    res.writeHead(status, { 'content-length': String(Buffer.byteLength(payload)), ...headers });
    res.end(payload);
    rec.done = sim.now();
  };
  const sendJson = (
    res: ServerResponse,
    rec: SimRequest,
    status: number,
    value: unknown,
    headers?: Record<string, string>,
  ): void => send(res, rec, status, JSON.stringify(value), { 'content-type': JSON_TYPE, ...headers });
  const waitWritable = (res: ServerResponse): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
    });

  // ---- faults -------------------------------------------------------------------
  const applyFault = async (
    fault: Fault,
    req: IncomingMessage,
    res: ServerResponse,
    rec: SimRequest,
    body: unknown,
  ): Promise<void> => {
    switch (fault.type) {
      case 'status': {
        let payload: string;
        let contentType = JSON_TYPE;
        if (fault.body === undefined) {
          payload = JSON.stringify({ status: 'error', message: STATUS_CODES[fault.status] ?? 'Error', data: null });
        } else if (typeof fault.body === 'string') {
          payload = fault.body;
          try {
            JSON.parse(payload);
          } catch {
            contentType = 'text/plain; charset=utf-8';
          }
        } else {
          payload = JSON.stringify(fault.body);
        }
        send(res, rec, fault.status, payload, { 'content-type': contentType, ...fault.headers });
        return;
      }
      case 'reset': {
        req.socket.resetAndDestroy();
        return;
      }
      case 'reset-after-headers': {
        // The server did the work (a valid send is delivered), then the connection broke mid-body.
        const out = processNormal(rec.method, rec.path, rec.headers, body);
        const full = Buffer.from(JSON.stringify(out.body));
        rec.status = out.status;
        res.writeHead(out.status, { 'content-type': JSON_TYPE, 'content-length': String(full.length) });
        res.flushHeaders();
        res.write(full.subarray(0, Math.max(1, Math.floor(full.length / 2))), () => {
          setImmediate(() => req.socket.destroy());
        });
        return;
      }
      case 'hang':
        return;
      case 'slow-body': {
        const out = processNormal(rec.method, rec.path, rec.headers, body);
        const full = Buffer.from(JSON.stringify(out.body));
        const chunks = Math.max(1, Math.min(fault.chunks ?? 4, full.length));
        const intervalMs = fault.intervalMs ?? 20;
        rec.status = out.status;
        res.writeHead(out.status, { 'content-type': JSON_TYPE, 'content-length': String(full.length), ...out.headers });
        res.flushHeaders();
        const size = Math.ceil(full.length / chunks);
        for (let i = 0; i < chunks; i++) {
          if (i > 0) await sleep(intervalMs);
          if (closed || res.destroyed) return;
          res.write(full.subarray(i * size, (i + 1) * size));
        }
        res.end();
        return;
      }
      case 'html':
        send(res, rec, fault.status, nginxPage(fault.status), { 'content-type': 'text/html', server: 'nginx' });
        return;
      case 'malformed-json':
        send(res, rec, 200, '{"result":"message_sent","topic_link":"https://t.me/c/', { 'content-type': JSON_TYPE });
        return;
      case 'empty':
        send(res, rec, fault.status ?? 200, '', { 'content-type': JSON_TYPE });
        return;
      case 'json':
        sendJson(res, rec, fault.status ?? 200, fault.body);
        return;
      case 'result-error':
        sendJson(res, rec, 200, { result: 'error', message: fault.message });
        return;
      case 'redirect':
        send(res, rec, fault.status ?? 307, '', { location: fault.location });
        return;
      case 'echo':
        sendJson(res, rec, fault.status ?? 400, {
          result: 'error',
          message: 'Bad request',
          request: { headers: req.headers, body: rec.rawBody },
        });
        return;
      case 'large': {
        const total = Math.max(0, Math.floor(fault.bytes));
        const status = fault.status ?? 200;
        const prefix = '{"padding":"';
        const suffix = '"}';
        const wrap = total >= prefix.length + suffix.length;
        let fill = wrap ? total - prefix.length - suffix.length : total;
        rec.status = status;
        res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': String(total) });
        if (wrap) res.write(prefix);
        const block = Buffer.alloc(64 * 1024, 'x');
        while (fill > 0) {
          if (closed || res.destroyed) return;
          const n = Math.min(block.length, fill);
          fill -= n;
          if (!res.write(n === block.length ? block : block.subarray(0, n))) await waitWritable(res);
        }
        if (closed || res.destroyed) return;
        res.end(wrap ? suffix : undefined);
        return;
      }
      case 'delay':
        await sleep(fault.ms);
        if (closed || res.destroyed) return;
        respondNormally(res, rec, body);
        return;
    }
  };

  const respondNormally = (res: ServerResponse, rec: SimRequest, body: unknown): void => {
    const out = processNormal(rec.method, rec.path, rec.headers, body);
    sendJson(res, rec, out.status, out.body, out.headers);
  };

  // ---- request handling ---------------------------------------------------------
  type BodyResult = { kind: 'ok'; raw: string } | { kind: 'too-large' } | { kind: 'aborted' };
  const readBody = (req: IncomingMessage): Promise<BodyResult> =>
    new Promise<BodyResult>((resolve) => {
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return resolve({ kind: 'too-large' });
      const parts: Buffer[] = [];
      let size = 0;
      let settled = false;
      const finish = (result: BodyResult): void => {
        if (settled) return;
        settled = true;
        req.off('data', onData);
        resolve(result);
      };
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          req.pause();
          finish({ kind: 'too-large' });
          return;
        }
        parts.push(chunk);
      };
      req.on('data', onData);
      req.once('end', () => finish({ kind: 'ok', raw: Buffer.concat(parts).toString('utf8') }));
      req.once('error', () => finish({ kind: 'aborted' }));
      req.once('close', () =>
        finish(req.complete ? { kind: 'ok', raw: Buffer.concat(parts).toString('utf8') } : { kind: 'aborted' }),
      );
    });

  const nextFault = (body: unknown): Fault | undefined => {
    if (isObject(body) && body.action === 'incoming_in_topic' && typeof body.user_id === 'number') {
      const queue = userFaults.get(body.user_id);
      if (queue && queue.length > 0) return queue.shift();
    }
    return faults.shift();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rec: SimRequest = {
      seq: ++seq,
      at: sim.now(),
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      rawBody: '',
      body: undefined,
    };
    requests.push(rec);

    const read = await readBody(req);
    if (read.kind === 'aborted' || closed) return;
    if (read.kind === 'too-large') {
      // Answer at once and discard the rest of the upload, so the client can finish sending and read the 413.
      req.resume();
      sendJson(res, rec, 413, { result: 'error', message: `Body too large (max ${MAX_BODY_BYTES} bytes)` });
      return;
    }
    rec.rawBody = read.raw;
    if (read.raw.length > 0) {
      try {
        rec.body = JSON.parse(read.raw);
      } catch {
        rec.body = undefined;
      }
    }

    const fault = nextFault(rec.body);
    if (fault) {
      rec.fault = fault.type;
      await applyFault(fault, req, res, rec, rec.body);
      return;
    }
    await sleep(latencyMs);
    if (closed || res.destroyed) return;
    respondNormally(res, rec, rec.body);
  };

  const server = createServer((req, res) => {
    res.on('error', () => {});
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': JSON_TYPE });
        res.end(JSON.stringify({ result: 'error', message: 'Simulator internal error' }));
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;

  const sim: Simulator = {
    now: () => Date.now(),
    url: `${origin}${API_PATH}`,
    origin,
    port,
    options: { ...creds },
    requests,
    delivered,
    fail(...more: Fault[]): void {
      faults.push(...more);
    },
    failFor(userId: number, ...more: Fault[]): void {
      const queue = userFaults.get(userId) ?? [];
      queue.push(...more);
      userFaults.set(userId, queue);
    },
    reset(): void {
      requests.length = 0;
      delivered.length = 0;
      faults = [];
      userFaults = new Map();
      sim.now = () => Date.now();
    },
    close(): Promise<void> {
      if (closing) return closing;
      closed = true;
      for (const s of sleepers) {
        clearTimeout(s.timer);
        s.resolve();
      }
      sleepers.clear();
      closing = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
  return sim;
}

// ---- standalone ---------------------------------------------------------------------

function isMainModule(): boolean {
  const self = import.meta.filename;
  const entry = process.argv[1];
  if (!self || !entry) return false;
  try {
    return realpathSync(self) === realpathSync(entry);
  } catch {
    return self === entry;
  }
}

function parseCli(argv: string[]): { port?: number; latencyMs?: number } {
  const usage = 'usage: node test/simulator.ts [--port N] [--latency MS]';
  const out: { port?: number; latencyMs?: number } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (name !== '--port' && name !== '--latency') {
      console.error(`unknown argument: ${arg}\n${usage}`);
      process.exit(2);
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    const n = Number(value);
    if (value === undefined || value === '' || !Number.isInteger(n) || n < 0 || (name === '--port' && n > 65535)) {
      console.error(`invalid value for ${name}: ${String(value)}\n${usage}`);
      process.exit(2);
    }
    if (name === '--port') out.port = n;
    else out.latencyMs = n;
  }
  return out;
}

if (isMainModule()) {
  const cli = parseCli(process.argv.slice(2));
  const sim = await startSimulator(cli);
  console.log(`Topics API simulator listening on ${sim.url}`);
  console.log(`  X-API-KEY: ${sim.options.xApiKey}`);
  console.log(`  instance:  ${sim.options.instance}`);
  console.log(`  api_key:   ${sim.options.apiKey}`);
  console.log(`  group_id:  ${sim.options.groupId}`);
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
