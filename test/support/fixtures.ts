/** One simulator per test file, reset before each test, and the inputs that reach it. */
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator.ts';

/** The file's simulator (a live binding: set once the file's tests start). */
export let sim: Simulator;

export function useSimulator(options?: SimulatorOptions): void {
  beforeAll(async () => {
    sim = await startSimulator(options);
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
  });
}

/** The credentials and endpoint every sending run needs. */
export const creds = (): Record<string, string> => ({
  x_api_key: sim.options.xApiKey,
  instance: sim.options.instance,
  api_key: sim.options.apiKey,
  endpoint: sim.url,
});

/**
 * Keys with characters that escape differently in JSON, URLs and HTML (x_api_key travels in a
 * header: printable ASCII; api_key in JSON: anything but control characters), so a test that
 * looks for every form of a key really looks for different strings.
 */
export const SPECIAL_KEYS = {
  xApiKey: 'xk_7f3a"quote\\back/slash+plus&amp=eq%41pct sp-owner',
  apiKey: 'ak<tag>"é\\ключ/+&=%2F?#-connection-42',
} as const;

/** Every form of each key a leak could take: as written, JSON-escaped (once, twice), URL-encoded. */
export function keyForms(xApiKey: string, apiKey: string): Array<[string, string]> {
  const forms = (key: string): Array<[string, string]> => [
    ['plain', key],
    ['json', JSON.stringify(key).slice(1, -1)],
    ['json twice', JSON.stringify(JSON.stringify(key)).slice(1, -1)],
    ['url', encodeURIComponent(key)],
  ];
  return [
    ...forms(xApiKey).map(([how, text]): [string, string] => [`x_api_key ${how}`, text]),
    ...forms(apiKey).map(([how, text]): [string, string] => [`api_key ${how}`, text]),
  ];
}

/**
 * A loopback port nothing listens on: one below the system's ephemeral range (32768 and up on
 * Linux), which no server of another test file (they all listen on port 0) can be given meanwhile;
 * checked free by binding it, then released.
 */
export async function closedPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }
}
