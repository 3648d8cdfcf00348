/**
 * Unit: which proxy the runner's environment names for an endpoint (`proxyFor`: HTTPS_PROXY,
 * HTTP_PROXY, NO_PROXY, lower-case names first, empty values ignored), and how a proxy URL is
 * shown (`displayProxy`: no user, no password, host and port kept). Pure functions: no network.
 */
import { describe, expect, it } from 'vitest';
import { displayProxy, proxyFor } from '../../../src/net/proxy.js';
import type { Env } from '../../../src/host.js';

const HTTPS = 'https://api.example.com/webhook/topic_action';
const HTTP = 'http://api.example.com/webhook/topic_action';

const P_UPPER_HTTPS = 'http://upper-https.proxy:3128';
const P_LOWER_HTTPS = 'http://lower-https.proxy:3128';
const P_UPPER_HTTP = 'http://upper-http.proxy:8080';
const P_LOWER_HTTP = 'http://lower-http.proxy:8080';

const of = (endpoint: string, env: Env): string | undefined => proxyFor(new URL(endpoint), env);

describe('proxyFor: which variable applies', () => {
  const rows: Array<[string, string, Env, string | undefined]> = [
    ['https, nothing set', HTTPS, {}, undefined],
    ['http, nothing set', HTTP, {}, undefined],
    ['https, HTTPS_PROXY', HTTPS, { HTTPS_PROXY: P_UPPER_HTTPS }, P_UPPER_HTTPS],
    ['https, https_proxy', HTTPS, { https_proxy: P_LOWER_HTTPS }, P_LOWER_HTTPS],
    [
      'https, both cases: lower-case wins',
      HTTPS,
      { HTTPS_PROXY: P_UPPER_HTTPS, https_proxy: P_LOWER_HTTPS },
      P_LOWER_HTTPS,
    ],
    ['https, only HTTP_PROXY: falls back to it', HTTPS, { HTTP_PROXY: P_UPPER_HTTP }, P_UPPER_HTTP],
    ['https, only http_proxy: falls back to it', HTTPS, { http_proxy: P_LOWER_HTTP }, P_LOWER_HTTP],
    [
      'https, HTTPS_PROXY and HTTP_PROXY: HTTPS_PROXY',
      HTTPS,
      { HTTPS_PROXY: P_UPPER_HTTPS, HTTP_PROXY: P_UPPER_HTTP },
      P_UPPER_HTTPS,
    ],
    [
      'https, HTTPS_PROXY and http_proxy: HTTPS_PROXY (the https name beats the case)',
      HTTPS,
      { HTTPS_PROXY: P_UPPER_HTTPS, http_proxy: P_LOWER_HTTP },
      P_UPPER_HTTPS,
    ],
    ['https, https_proxy empty: HTTPS_PROXY', HTTPS, { https_proxy: '', HTTPS_PROXY: P_UPPER_HTTPS }, P_UPPER_HTTPS],
    [
      'https, both https names empty: HTTP_PROXY',
      HTTPS,
      { https_proxy: '', HTTPS_PROXY: '', HTTP_PROXY: P_UPPER_HTTP },
      P_UPPER_HTTP,
    ],
    [
      'https, every name empty: none',
      HTTPS,
      { https_proxy: '', HTTPS_PROXY: '', http_proxy: '', HTTP_PROXY: '' },
      undefined,
    ],
    ['https, names undefined: none', HTTPS, { HTTPS_PROXY: undefined, HTTP_PROXY: undefined }, undefined],
    ['http, HTTP_PROXY', HTTP, { HTTP_PROXY: P_UPPER_HTTP }, P_UPPER_HTTP],
    ['http, http_proxy', HTTP, { http_proxy: P_LOWER_HTTP }, P_LOWER_HTTP],
    ['http, both cases: lower-case wins', HTTP, { HTTP_PROXY: P_UPPER_HTTP, http_proxy: P_LOWER_HTTP }, P_LOWER_HTTP],
    ['http, http_proxy empty: HTTP_PROXY', HTTP, { http_proxy: '', HTTP_PROXY: P_UPPER_HTTP }, P_UPPER_HTTP],
    ['http, only HTTPS_PROXY: none (it is for https)', HTTP, { HTTPS_PROXY: P_UPPER_HTTPS }, undefined],
    ['http, only https_proxy: none', HTTP, { https_proxy: P_LOWER_HTTPS }, undefined],
    [
      'http, HTTPS_PROXY and HTTP_PROXY: HTTP_PROXY',
      HTTP,
      { HTTPS_PROXY: P_UPPER_HTTPS, HTTP_PROXY: P_UPPER_HTTP },
      P_UPPER_HTTP,
    ],
    [
      'a proxy URL with credentials is returned whole',
      HTTPS,
      { HTTPS_PROXY: 'http://user:p%40ss@proxy:3128' },
      'http://user:p%40ss@proxy:3128',
    ],
    [
      'other variables (ALL_PROXY, FTP_PROXY) are not read',
      HTTPS,
      { ALL_PROXY: P_UPPER_HTTP, all_proxy: P_UPPER_HTTP, FTP_PROXY: P_UPPER_HTTP },
      undefined,
    ],
  ];
  it.each(rows)('%s', (_name, endpoint, env, expected) => {
    expect(of(endpoint, env)).toBe(expected);
  });
});

describe('proxyFor: NO_PROXY', () => {
  const P = 'http://proxy.corp:3128';
  /** [NO_PROXY, endpoint, proxied?] */
  const rows: Array<[string, string, boolean]> = [
    ['', HTTPS, true],
    ['*', HTTPS, false],
    ['*', HTTP, false],
    [' * ', HTTPS, false],
    ['other.org,*', HTTPS, false],
    ['api.example.com', HTTPS, false],
    ['API.EXAMPLE.COM', HTTPS, false],
    ['other.example.com', HTTPS, true],
    ['.example.com', HTTPS, false],
    ['.example.com', 'https://example.com/x', false],
    ['.example.com', 'https://deep.api.example.com/x', false],
    ['example.com', HTTPS, false],
    ['example.com', 'https://example.com/x', false],
    ['example.com', 'https://badexample.com/x', true],
    ['.example.com', 'https://badexample.com/x', true],
    ['example.com', 'https://example.com.evil.org/x', true],
    ['*.example.com', HTTPS, false],
    ['*.example.com', 'https://badexample.com/x', true],
    ['ample.com', HTTPS, true],
    ['api.example.com:443', HTTPS, false],
    ['api.example.com:8443', HTTPS, true],
    ['api.example.com:80', HTTP, false],
    ['api.example.com:443', HTTP, true],
    ['api.example.com:8443', 'https://api.example.com:8443/x', false],
    ['api.example.com:443', 'https://api.example.com:8443/x', true],
    ['example.com:443', HTTPS, false],
    ['example.com:8443', HTTPS, true],
    ['127.0.0.1', 'http://127.0.0.1:8080/x', false],
    ['127.0.0.1:8080', 'http://127.0.0.1:8080/x', false],
    ['127.0.0.1:9090', 'http://127.0.0.1:8080/x', true],
    ['127.0.0.2', 'http://127.0.0.1:8080/x', true],
    ['localhost', 'http://localhost:8080/x', false],
    ['localhost', 'http://127.0.0.1:8080/x', true],
    ['[::1]', 'http://[::1]:8080/x', false],
    ['[::1]:8080', 'http://[::1]:8080/x', false],
    ['[::1]:9090', 'http://[::1]:8080/x', true],
    ['::1', 'http://[::1]:8080/x', false],
    ['[::2]', 'http://[::1]:8080/x', true],
    ['foo.org, api.example.com', HTTPS, false],
    ['foo.org,api.example.com', HTTPS, false],
    ['foo.org api.example.com', HTTPS, false],
    ['foo.org ,\t api.example.com ,', HTTPS, false],
    ['foo.org,\nbar.org', HTTPS, true],
    [',,,', HTTPS, true],
  ];
  it.each(rows)('NO_PROXY=%j, %s → proxied: %s', (noProxy, endpoint, proxied) => {
    const expected = proxied ? P : undefined;
    expect(of(endpoint, { HTTPS_PROXY: P, HTTP_PROXY: P, NO_PROXY: noProxy })).toBe(expected);
  });

  it('no_proxy (lower case) works too, and wins over NO_PROXY', () => {
    expect(of(HTTPS, { HTTPS_PROXY: P, no_proxy: 'api.example.com' })).toBeUndefined();
    expect(of(HTTPS, { HTTPS_PROXY: P, no_proxy: 'other.org', NO_PROXY: 'api.example.com' })).toBe(P);
    expect(of(HTTPS, { HTTPS_PROXY: P, no_proxy: 'api.example.com', NO_PROXY: 'other.org' })).toBeUndefined();
  });

  it('an empty no_proxy is ignored: NO_PROXY applies', () => {
    expect(of(HTTPS, { HTTPS_PROXY: P, no_proxy: '', NO_PROXY: 'api.example.com' })).toBeUndefined();
  });

  it('NO_PROXY without any proxy: none', () => {
    expect(of(HTTPS, { NO_PROXY: 'other.org' })).toBeUndefined();
  });

  it('a fully qualified host name (trailing dot) is the same name: example.com. is excluded by example.com', () => {
    expect(of('https://api.example.com./x', { HTTPS_PROXY: P, NO_PROXY: 'example.com' })).toBeUndefined();
  });
});

describe('displayProxy', () => {
  it('hides the user and the password, keeps scheme, host and port', () => {
    const shown = displayProxy('http://alice:s3cr%40t@proxy.corp:3128');
    expect(shown).toContain('proxy.corp:3128');
    expect(shown.startsWith('http://')).toBe(true);
    for (const hidden of ['alice', 's3cr%40t', 's3cr@t', 's3cr']) expect(shown).not.toContain(hidden);
    expect(shown).toBe('http://***@proxy.corp:3128');
  });

  it('a password alone, or a user alone, is hidden too', () => {
    expect(displayProxy('http://:onlypassword@proxy:8080')).toBe('http://***@proxy:8080');
    expect(displayProxy('http://onlyuser@proxy:8080')).toBe('http://***@proxy:8080');
  });

  it('a proxy without credentials is shown as it is (without the trailing slash)', () => {
    expect(displayProxy('http://proxy.corp:3128')).toBe('http://proxy.corp:3128');
    expect(displayProxy('http://proxy.corp:3128/')).toBe('http://proxy.corp:3128');
    expect(displayProxy('https://127.0.0.1:8443')).toBe('https://127.0.0.1:8443');
    expect(displayProxy('http://[::1]:3128')).toBe('http://[::1]:3128');
  });

  it('the default port is left out, as URL does', () => {
    expect(displayProxy('http://proxy.corp:80')).toBe('http://proxy.corp');
  });

  it('an invalid URL is not echoed (it may hold a password): a fixed text says where it came from', () => {
    for (const bad of ['http://user:hunter2pw@bad host:3128', '127.0.0.1:3128', '', '::::', 'http://[::1:3128']) {
      const shown = displayProxy(bad);
      expect(shown).toMatch(/HTTPS_PROXY|HTTP_PROXY/);
      expect(shown).toMatch(/not a valid URL/);
      expect(shown).not.toContain('hunter2pw');
      if (bad) expect(shown).not.toContain(bad);
    }
  });

  it('never throws, whatever it is given', () => {
    for (const text of ['http://%zz@proxy:1', 'http://a:%@proxy:1', 'x:', 'http://' + 'a'.repeat(5000) + ':b@h:1']) {
      expect(() => displayProxy(text)).not.toThrow();
    }
  });
});
