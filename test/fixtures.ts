/** One simulator per test file, reset before each test, and the inputs that reach it. */
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
