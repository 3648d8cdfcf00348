/**
 * One HTTP request on undici, with a cap on the response body. Redirects are not followed: undici's
 * request API never does unless told to, so the key cannot travel to another host.
 *
 * Why the two deep imports: undici's index loads everything it ships (fetch, WebSocket, caches,
 * mocks): 1.6 MB and ~45 ms of start-up for each run of the action. `Agent` and `request` are the
 * two pieces used here; package.json pins undici's exact version and the bundle is tested, so a
 * moved file fails the build and the tests, not a user's workflow.
 */
import type { Dispatcher } from 'undici';
import Agent from 'undici/lib/dispatcher/agent.js';
import request from 'undici/lib/api/api-request.js';

export type Headers = Record<string, string | string[] | undefined>;

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
  /** True when the body was longer than the cap and was cut there. */
  bodyCut: boolean;
}

export interface RequestOptions {
  /** POST unless said. */
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Aborts the request, including reading the body. */
  signal: AbortSignal;
  maxBodyBytes: number;
}

/** What a request is sent through: a plain pool, or one that tunnels through the proxy. */
export type HttpAgent = Dispatcher;

/**
 * One connection pool for the whole run; `timeoutMs` bounds connecting and each wait for data.
 * Through a proxy, undici's ProxyAgent (a CONNECT tunnel, credentials from the proxy URL), loaded
 * only then: runs without a proxy do not pay for it (the proxy path loads all of undici).
 */
export async function createAgent(timeoutMs: number, proxy: string | undefined): Promise<HttpAgent> {
  const options = {
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 4_000,
  };
  if (proxy === undefined) return new Agent(options);
  // undici's ProxyAgent opens its tunnel with `connect()`, one of the API methods undici's index
  // installs on every dispatcher. The index (1.6 MB) is not loaded: the method is installed the
  // same way, from the same module. A tunnel for http endpoints too, so the proxy never sees the key.
  const [{ default: ProxyAgent }, { default: connect }, { default: Dispatcher }] = await Promise.all([
    import('undici/lib/dispatcher/proxy-agent.js'),
    import('undici/lib/api/api-connect.js'),
    import('undici/lib/dispatcher/dispatcher.js'),
  ]);
  Dispatcher.prototype.connect ??= connect;
  return new ProxyAgent({ ...options, uri: proxy, proxyTunnel: true });
}

/** One request (POST unless said), its answer read up to `maxBodyBytes`. */
export async function send(agent: HttpAgent, url: URL, options: RequestOptions): Promise<HttpResponse> {
  const response = await request.call(agent, {
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: options.method ?? 'POST',
    headers: options.headers,
    ...(options.body === undefined ? {} : { body: options.body }),
    signal: options.signal,
  });
  const chunks: Buffer[] = [];
  let size = 0;
  let bodyCut = false;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    const room = options.maxBodyBytes - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      bodyCut = true;
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  // Leaving the loop early (cut) destroys the stream: the rest is never buffered.
  return {
    status: response.statusCode,
    headers: response.headers,
    body: Buffer.concat(chunks).toString('utf8'),
    bodyCut,
  };
}
