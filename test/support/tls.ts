/**
 * A node:https server on 127.0.0.1 with a self-signed certificate made at start (openssl, into a
 * temporary folder removed on close), answering every request with a valid `message_sent`. For
 * showing that the action refuses a certificate nobody vouches for: nothing should ever reach the
 * request handler, so the server counts TCP connections as well as requests.
 * Erasable TypeScript, node: built-ins only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL = '/usr/bin/openssl';

export interface SelfSignedServer {
  /** https://127.0.0.1:<port>/webhook/topic_action */
  url: string;
  port: number;
  /** The server's certificate (PEM), for a client that chooses to trust it. */
  certificate: string;
  /** TCP connections accepted (a TLS handshake the client refuses still counts one). */
  connections: number;
  /** HTTP requests that got through the handshake (should stay 0). */
  requests: number;
  /** Handshakes that failed on the server's side (the client's alert, for one). */
  tlsErrors: string[];
  reset(): void;
  close(): Promise<void>;
}

/** A fresh self-signed certificate for localhost and 127.0.0.1, valid for one day. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      OPENSSL,
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'pipe' },
    );
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startSelfSignedServer(): Promise<SelfSignedServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0, requests: 0, tlsErrors: [] as string[] };
  const { key, cert } = selfSignedCertificate();
  const server = createServer({ key, cert }, (req, res) => {
    state.requests++;
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({
        result: 'message_sent',
        topic_link: 'https://t.me/c/2101424779/5343',
        message: 'Message sent',
        chat_id: -1002101424779,
        thread_id: 5343,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
  });
  server.on('connection', (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', (error: Error & { code?: string }) => {
    state.tlsErrors.push(error.code ?? error.message);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}/webhook/topic_action`,
    port,
    certificate: cert,
    get connections() {
      return state.connections;
    },
    get requests() {
      return state.requests;
    },
    get tlsErrors() {
      return state.tlsErrors;
    },
    reset(): void {
      state.connections = 0;
      state.requests = 0;
      state.tlsErrors = [];
    },
    close(): Promise<void> {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
