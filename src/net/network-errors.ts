/**
 * Errors from the connection, not from an HTTP answer (refused, reset, DNS, timeouts, TLS, a proxy),
 * as the user should read them, and whether another attempt may succeed. The original error is
 * the ApiError's `cause`.
 */
import { ApiError } from '../errors.js';
import { RETRYABLE_STATUSES } from './retry.js';

const TLS_CODES = /CERT|SELF_SIGNED|TLS|SSL|ALTNAME|VERIFY|ISSUER/;

/** An error from the connection (not from an HTTP answer) as the user should read it. */
export function networkError(cause: unknown, timeoutMs: number, url: URL, proxy: string | undefined): ApiError {
  type Cause = { name?: string; code?: string; message?: string; cause?: Cause };
  const error = cause as Cause;
  const code = error.code ?? error.cause?.code ?? '';
  const host = url.host;
  const via = proxy ? ` (through the proxy ${proxy})` : '';
  if (proxy) {
    const refused = /Proxy response \((\d+)\)/.exec(error.message ?? '') ?? /\((407)\)/.exec(error.message ?? '');
    if (refused) {
      const status = Number(refused[1]);
      const hint =
        status === 407
          ? ': it wants credentials, as http://user:password@host:port in the proxy URL (HTTPS_PROXY or HTTP_PROXY)'
          : '';
      return new ApiError(`the proxy ${proxy} refused the tunnel to ${host} with HTTP ${status}${hint}`, {
        kind: 'network',
        retryable: RETRYABLE_STATUSES.has(status),
        status,
        cause,
      });
    }
    if (code === 'UND_ERR_PRX_CONN' || code === 'UND_ERR_PRX_TLS') {
      const inner = error.cause?.code ?? error.cause?.message ?? error.message ?? 'unknown error';
      return new ApiError(`could not reach ${host} through the proxy ${proxy}: ${inner}`, {
        kind: 'network',
        retryable: code === 'UND_ERR_PRX_CONN',
        cause,
      });
    }
  }
  // (After the proxy's answers: undici reports a refused tunnel as an AbortError.)
  if (error.name === 'TimeoutError' || error.name === 'AbortError' || /TIMEOUT/.test(code) || code === 'ETIMEDOUT') {
    return new ApiError(`no answer from ${host} within ${+(timeoutMs / 1000).toFixed(1)} s (timeout)${via}`, {
      kind: 'timeout',
      retryable: true,
      cause,
    });
  }
  // Through a proxy, the socket is the proxy's: the endpoint's refusals come back as a tunnel status.
  if (proxy && (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')) {
    return new ApiError(`could not reach the proxy ${proxy} (${code})`, { kind: 'network', retryable: true, cause });
  }
  if (TLS_CODES.test(code)) {
    // Node's own hint (--use-system-ca) is no use in an action; a runner trusts a private CA through NODE_EXTRA_CA_CERTS.
    const what = (error.message ?? code).split(';')[0];
    return new ApiError(
      `TLS with ${host} failed: ${what} (${code}); the certificate is not trusted (for a private CA, set NODE_EXTRA_CA_CERTS on the runner)${via}`,
      {
        kind: 'network',
        retryable: false,
        cause,
      },
    );
  }
  const reasons: Record<string, string> = {
    ECONNREFUSED: `connection to ${host} refused`,
    ECONNRESET: `connection to ${host} reset`,
    UND_ERR_SOCKET: `connection to ${host} closed by the server`,
    ENOTFOUND: `host ${url.hostname} not found (DNS)`,
    EAI_AGAIN: `host ${url.hostname} could not be resolved now (DNS)`,
    EPIPE: `connection to ${host} broken`,
  };
  // System errors (ECONNABORTED, EHOSTUNREACH, …) and a dropped socket may pass; anything else
  // (undici refusing an argument, say) would fail the same way again.
  // (Node's own ERR_* codes are programming errors, not the network's: not retried.)
  const transient = code in reasons || /^E[A-Z]+$/.test(code) || code.startsWith('UND_ERR_SOCKET');
  const reason =
    reasons[code] ??
    `${transient ? 'network error talking to' : 'the request could not be sent to'} ${host}: ${error.message ?? 'unknown error'}`;
  return new ApiError(`${reason}${code ? ` (${code})` : ''}${via}`, { kind: 'network', retryable: transient, cause });
}
