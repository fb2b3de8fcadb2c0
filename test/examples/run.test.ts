// Every bundled example runs green on the kernel: no failed expectation, no fault, no deadlock.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { compile } from '../../language/core/index';
import { Kernel } from '../../kernel/index';

const dir = path.resolve(__dirname, '../../examples');
const examples = readdirSync(dir).filter((f) => f.endsWith('.kscn')).sort();

describe('examples', () => {
  it('include the scenarios the README and issues promise', () => {
    for (const name of ['echo', 'chained-ipc', 'contention', 'bad-message', 'mach-rpc', 'mach-nodes', 'tock-ipc', 'tock-mpu-misaligned', 'faults']) {
      expect(examples).toContain(`${name}.kscn`);
    }
  });

  for (const file of examples) {
    it(`${file} runs green`, () => {
      const { program, diagnostics } = compile(readFileSync(path.join(dir, file), 'utf8'), file);
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const kernel = new Kernel(program!, { seed: 1, record: false });
      const halt = kernel.run(10_000_000);
      expect(halt?.reason, halt?.message).toBe('finished');
      const stats = kernel.expectationStats();
      expect(stats.failed).toBe(0);
      expect(stats.passed).toBeGreaterThan(0);
    });
  }
});
