/**
 * Preload for a child process (`NODE_OPTIONS=--import <this file>`): makes `node:dns` `lookup`
 * (callback and promise forms) fail with ENOTFOUND for ONE host name, as a resolver that has never
 * heard of it would, and passes every other name through. No query for that name ever leaves
 * the machine: the failure is decided here, before any resolver is asked.
 *
 * The name is `DNS_FAILURE_HOST` from the environment, `hotline.invalid` by default. Each refused
 * lookup writes one line to stderr (`[dns-failure] lookup <host> → ENOTFOUND`), so a test can
 * check that this patch, and not a real resolver, produced the failure.
 *
 * Why patching the module object is enough: `net.connect` (which undici's connector calls without
 * a `lookup` option) reads `dns.lookup` from the `node:dns` module object at connect time.
 */
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';

const FAILING_HOST = (process.env.DNS_FAILURE_HOST || 'hotline.invalid').toLowerCase();

const matches = (hostname) =>
  typeof hostname === 'string' && hostname.replace(/\.$/, '').toLowerCase() === FAILING_HOST;

/** The error getaddrinfo gives for a name that does not exist. */
function notFound(hostname) {
  process.stderr.write(`[dns-failure] lookup ${hostname} → ENOTFOUND\n`);
  const error = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  return Object.assign(error, { errno: -3008, code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname });
}

const realLookup = dns.lookup;
function lookup(hostname, options, callback) {
  if (!matches(hostname)) return realLookup.call(this, hostname, options, callback);
  const cb = typeof options === 'function' ? options : callback;
  const error = notFound(hostname);
  process.nextTick(() => cb(error));
  return {};
}
dns.lookup = lookup;

const realPromiseLookup = dns.promises.lookup;
dns.promises.lookup = function (hostname, options) {
  if (!matches(hostname)) return realPromiseLookup.call(this, hostname, options);
  return Promise.reject(notFound(hostname));
};

// `import { lookup } from 'node:dns'` and `node:dns/promises` see the patched functions too.
syncBuiltinESMExports();
