// The execution engine without DAP: a failure inside the emulator stops the run instead of
// crashing the adapter, and stops are reported through the typed listener.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../language/core/index';
import { ScenarioRuntime, type OutputInfo, type StopInfo } from '../../debug-adapter/runtime';
import { fixture, marker } from './harness';

function runtimeFor(name: string) {
  const file = fixture(name);
  const program = compile(readFileSync(file, 'utf8'), file).program!;
  const stops: StopInfo[] = [];
  const outputs: OutputInfo[] = [];
  let terminated = false;
  const runtime = new ScenarioRuntime(program, {}, {
    stopped: (stop) => stops.push(stop),
    output: (output) => outputs.push(output),
    threadStarted: () => undefined,
    threadExited: () => undefined,
    terminated: () => (terminated = true),
  });
  return { runtime, stops, outputs, file, isTerminated: () => terminated };
}

describe('ScenarioRuntime', () => {
  it('stops synchronously at a breakpoint and steps on request', () => {
    const { runtime, stops, file } = runtimeFor('echo.kscn');
    runtime.breakpoints.setLineBreakpoints([{ line: marker(file, 'CALL') }]);
    runtime.start(false);
    expect(stops).toHaveLength(1);
    expect(stops[0]!.reason).toBe('breakpoint');
    const client = runtime.kernel.threadById(stops[0]!.thread)!;
    expect(runtime.locationOf(client)?.line).toBe(marker(file, 'CALL'));
    runtime.step(client.id, 'stepIn');
    expect(stops[1]!.reason).toBe('step');
    expect(runtime.locationOf(runtime.kernel.threadById(stops[1]!.thread)!)?.line).toBe(marker(file, 'HANDLER_FIRST'));
  });

  it('a failure inside the kernel becomes an internal-error stop, not a crash', () => {
    const { runtime, stops, outputs } = runtimeFor('echo.kscn');
    runtime.kernel.step = () => {
      throw new Error('emulator bug');
    };
    runtime.start(false);
    expect(stops).toHaveLength(1);
    expect(stops[0]!.reason).toBe('exception');
    expect(runtime.exceptionOf(stops[0]!.thread)?.id).toBe('internal-error');
    expect(outputs.some((o) => o.category === 'stderr' && o.text.includes('internal error: emulator bug'))).toBe(true);
  });

  it('runs to the end and terminates with a summary', () => {
    const { runtime, outputs, isTerminated } = runtimeFor('echo.kscn');
    runtime.start(false);
    expect(isTerminated()).toBe(true);
    expect(outputs.map((o) => o.text)).toContain('echo done: 42 100\n');
    expect(outputs.some((o) => o.category === 'console' && /finished/.test(o.text))).toBe(true);
  });
});
