/** One simulator per test file, reset before each test, and the inputs that reach it. */
import { createServer, type AddressInfo } from 'node:net';
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

/** A loopback port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
