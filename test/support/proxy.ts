/**
 * A loopback HTTP proxy for tests, on node:http at 127.0.0.1 (a free port).
 *
 * CONNECT (what a client sends to tunnel, the way undici's ProxyAgent reaches an https origin):
 * optionally requires `Proxy-Authorization: Basic …` (407 otherwise), optionally refuses every
 * tunnel with a status (403, 502, …), else opens a TCP connection to the target and pipes both
 * ways. Only loopback targets (127.0.0.1, localhost, ::1) are allowed; any other is refused with
 * 403, so nothing a test does through this proxy can leave the machine.
 *
 * A plain request in absolute form (`POST http://127.0.0.1:1234/path`, what a client sends to a
 * forwarding proxy for an http origin) gets the same checks and, when they pass, is forwarded
 * to its loopback target. It is recorded apart from the tunnels (`kind: 'forward'`), with the
 * headers the proxy could read, so a test can tell a tunnel from a forward.
 *
 * Every CONNECT and forward is recorded: target, the Proxy-Authorization header seen, time.
 * `close()` destroys every socket, so it never hangs. Erasable TypeScript, node: built-ins only.
 */
import { createServer, request as httpRequest, STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxyOptions {
  /** Require these credentials (`Proxy-Authorization: Basic base64(user:password)`); 407 otherwise. */
  auth?: { user: string; password: string };
  /** Refuse every tunnel and forward with this status (after the auth check). */
  refuse?: number;
}

export interface ProxyRecord {
  kind: 'connect' | 'forward';
  /** `host:port` as the client asked for it (CONNECT's request target, or the forward URL's host). */
  target: string;
  /** The forward's full URL (absolute form); undefined for a CONNECT. */
  url?: string;
  /** The `Proxy-Authorization` header as received, if any. */
  authorization?: string;
  /** Every header the proxy received (for a forward: the request's own headers too). */
  headers: IncomingHttpHeaders;
  /** Date.now() when the request reached the proxy. */
  at: number;
  /** The status the proxy answered: 200 for an established tunnel, else its refusal. */
  status?: number;
}

export interface TestProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  host: string;
  port: number;
  options: ProxyOptions;
  /** Every CONNECT and forward, in arrival order. */
  records: ProxyRecord[];
  /** The CONNECTs only. */
  readonly connects: ProxyRecord[];
  /** The forwards (absolute-form requests) only. */
  readonly forwards: ProxyRecord[];
  /** Forget the records. */
  reset(): void;
  /** Destroys every socket (tunnels included) and stops listening; never hangs. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** `host:port` → its parts; the host without IPv6 brackets. */
function splitTarget(target: string): { host: string; port: number } | undefined {
  const match = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(target);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (match[1] ?? '').toLowerCase(), port };
}

/** Where to really connect: localhost pinned to 127.0.0.1 (the test servers listen there). */
const dialHost = (host: string): string => (host === 'localhost' ? '127.0.0.1' : host);

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export async function startProxy(options: ProxyOptions = {}): Promise<TestProxy> {
  const records: ProxyRecord[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  /** The status to refuse with, or undefined when the request may go on. */
  const check = (
    headers: IncomingHttpHeaders,
    target: { host: string; port: number } | undefined,
  ): number | undefined => {
    if (options.auth && headers['proxy-authorization'] !== basicAuth(options.auth.user, options.auth.password))
      return 407;
    if (options.refuse !== undefined) return options.refuse;
    if (!target) return 400;
    if (!LOOPBACK.has(target.host)) return 403;
    return undefined;
  };

  const refusal = (status: number): string =>
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Refused'}\r\n` +
    (status === 407 ? 'Proxy-Authenticate: Basic realm="test-proxy"\r\n' : '') +
    'Content-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.on('error', () => {});
    // A forward: the request line holds the whole URL.
    let url: URL | undefined;
    try {
      url = new URL(req.url ?? '');
    } catch {
      url = undefined;
    }
    const target = url && url.protocol === 'http:' ? splitTarget(`${url.hostname}:${url.port || '80'}`) : undefined;
    const record: ProxyRecord = {
      kind: 'forward',
      target: url ? `${url.hostname}:${url.port || '80'}` : String(req.url),
      url: url?.href,
      authorization: req.headers['proxy-authorization'],
      headers: { ...req.headers },
      at: Date.now(),
    };
    records.push(record);
    const status = check(req.headers, target);
    if (status !== undefined || !url || !target) {
      record.status = status ?? 400;
      req.resume();
      res.writeHead(record.status, {
        'content-type': 'text/plain',
        connection: 'close',
        ...(record.status === 407 ? { 'proxy-authenticate': 'Basic realm="test-proxy"' } : {}),
      });
      res.end(`${record.status} ${STATUS_CODES[record.status] ?? ''} (test proxy)`);
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      {
        host: dialHost(target.host),
        port: target.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers,
      },
      (answer) => {
        record.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('socket', track);
    upstream.on('error', () => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502, { connection: 'close' });
      res.end();
    });
    req.pipe(upstream);
  });

  server.on('connection', track);

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    client.on('error', () => {});
    const target = splitTarget(req.url ?? '');
    const record: ProxyRecord = {
      kind: 'connect',
      target: req.url ?? '',
      authorization: req.headers['proxy-authorization'],
      headers: { ...req.headers },
      at: Date.now(),
    };
    records.push(record);
    const status = check(req.headers, target);
    if (status !== undefined || !target) {
      record.status = status ?? 400;
      client.end(refusal(record.status));
      return;
    }
    const upstream = netConnect({ host: dialHost(target.host), port: target.port });
    track(upstream);
    upstream.on('error', () => {
      if (record.status === undefined) {
        record.status = 502;
        client.end(refusal(502));
      } else {
        client.destroy();
      }
    });
    upstream.once('connect', () => {
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    options,
    records,
    get connects() {
      return records.filter((r) => r.kind === 'connect');
    },
    get forwards() {
      return records.filter((r) => r.kind === 'forward');
    },
    reset(): void {
      records.length = 0;
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
