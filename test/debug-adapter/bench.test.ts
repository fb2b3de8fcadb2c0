// The benchmark runs end to end and reports every figure (times are not asserted).

import { expect, it } from 'vitest';
import { benchDebugAdapter } from '../../debug-adapter/bench';

it('benchDebugAdapter reports step latency, launch time and page time', async () => {
  const result = await benchDebugAdapter();
  for (const key of ['stepP50', 'stepP95', 'launchToFirstStopMs', 'pageOf100Ms'] as const) {
    expect(Number.isFinite(result[key])).toBe(true);
    expect(result[key]).toBeGreaterThanOrEqual(0);
  }
  expect(result.stepP95).toBeGreaterThanOrEqual(result.stepP50);
}, 60_000);
