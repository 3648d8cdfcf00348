/**
 * The proxy for the API calls, in one place: which one the environment names for the endpoint
 * (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, as undici's EnvHttpProxyAgent reads them), its credentials
 * masked, and how it is shown (never with them). http.ts tunnels through it.
 */
import type { Env, Log } from '../host.js';

/**
 * The proxy the runner's environment names for this endpoint, or undefined: HTTPS_PROXY for an
 * https endpoint (else HTTP_PROXY), HTTP_PROXY for http, lower-case names first, and none when
 * NO_PROXY lists the host (`*`, a host, `.domain` or `domain` for it and its subdomains, with or
 * without `:port`), the rules undici's EnvHttpProxyAgent follows.
 */
export function proxyFor(endpoint: URL, env: Env): string | undefined {
  const pick = (...names: string[]): string | undefined =>
    names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const http = pick('http_proxy', 'HTTP_PROXY');
  const proxy = endpoint.protocol === 'https:' ? (pick('https_proxy', 'HTTPS_PROXY') ?? http) : http;
  if (proxy === undefined) return undefined;
  const host = endpoint.hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  const port = endpoint.port || (endpoint.protocol === 'https:' ? '443' : '80');
  for (const entry of (pick('no_proxy', 'NO_PROXY') ?? '')
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean)) {
    if (entry === '*') return undefined;
    // host, host:port, [v6]:port, or a bare IPv6 address (more than one colon, no port).
    const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(entry);
    const [name = '', entryPort] = bracketed
      ? [bracketed[1], bracketed[2]]
      : entry.split(':').length === 2
        ? entry.split(':')
        : [entry, undefined];
    if (entryPort !== undefined && entryPort !== port) continue;
    const domain = name.replace(/^\*?\./, '').replace(/\.$/, '');
    if (host === domain || host.endsWith(`.${domain}`)) return undefined;
  }
  return proxy;
}

/** A proxy URL fit to show: its user and password replaced. */
export function displayProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    if (url.username || url.password) {
      url.username = '***';
      url.password = '';
    }
    return url.href.replace(/\/$/, '');
  } catch {
    return 'the proxy set in HTTPS_PROXY/HTTP_PROXY (not a valid URL)';
  }
}

/**
 * The proxy to use for `endpoint`, checked: a value that is not an http(s) URL is refused (and masked
 * whole: it may hold a password that cannot be told apart); a password is registered as a secret
 * (also percent-decoded); the log says which proxy, without credentials.
 */
export function proxyForEndpoint(
  endpoint: string,
  env: Env,
  host: Pick<Log, 'untrusted'> & { setSecret(value: string): void },
): string | undefined {
  const proxy = proxyFor(new URL(endpoint), env);
  if (proxy === undefined) return undefined;
  const url = URL.canParse(proxy) ? new URL(proxy) : undefined;
  if (!url || !/^https?:$/.test(url.protocol)) {
    host.setSecret(proxy);
    throw new Error(
      'The proxy in HTTPS_PROXY or HTTP_PROXY is not a URL like http://proxy.example.com:3128 (or http://user:password@proxy.example.com:3128); its value is masked',
    );
  }
  host.setSecret(url.password);
  host.setSecret(safeDecode(url.password));
  host.untrusted(`Through the proxy ${displayProxy(proxy)}.`);
  return proxy;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
