// The node-table benchmark scenario (kernel/xnu/bench-scenario.ts): it compiles, runs green and
// stays linear in the table size.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../kernel/index';
import { nodeTableScenario } from '../../kernel/xnu/bench-scenario';
import { compileScenario } from './helpers';

function run(size: number) {
  const kernel = new Kernel(compileScenario(nodeTableScenario(size)), { record: false });
  const halt = kernel.run(50_000_000);
  return { kernel, halt };
}

describe('nodeTableScenario', () => {
  it('a 1024-entry table is filled, published and republished', () => {
    const { kernel, halt } = run(1024);
    expect(halt?.reason).toBe('finished');
    expect(kernel.state.expectFailed).toBe(0);
    const xm = kernel.state.nodes.machines[0]!;
    expect(xm.nodesMax).toBe(1024);
    expect(xm.table.every((h) => h !== 0)).toBe(true);
    expect(xm.toPublish).toBe(0);
    expect(kernel.state.nodes.kmsgs.length).toBe(2048);
  });

  it('the work grows linearly with the table size', () => {
    const small = run(256).kernel.state.steps;
    const large = run(1024).kernel.state.steps;
    expect(large / small).toBeLessThan(4.5);
  });
});
