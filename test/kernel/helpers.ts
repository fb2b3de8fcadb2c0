// Test helpers for the kernel: compile a scenario through the language core, run it, and collect
// its events and readable trace.
import { expect } from 'vitest';
import { compile } from '../../language/core/index';
import { Kernel, formatEvent, summarizeState, type KernelEvent, type KernelOptions, type HaltInfo } from '../../kernel/index';

export interface ScenarioRun {
  readonly kernel: Kernel;
  readonly events: KernelEvent[];
  readonly halt: HaltInfo | undefined;
  /** The trace without kernel-step, memory-write and thread-state lines (the interesting part). */
  readonly trace: string;
  readonly fullTrace: string;
  readonly summary: string;
  readonly passed: number;
  readonly failed: number;
  /** Failed expectations, as trace lines. */
  readonly failures: string[];
}

const QUIET = new Set(['kernel-step', 'memory-write', 'thread-state', 'cap-alloc', 'cap-free', 'context-switch']);

export function compileScenario(text: string, file = 'test.kscn') {
  const { program, diagnostics } = compile(text, file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!program || errors.length > 0) {
    throw new Error(`scenario does not compile:\n${errors.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.message}`).join('\n')}`);
  }
  return program;
}

export function runScenario(text: string, options: KernelOptions = {}, maxSteps = 1_000_000): ScenarioRun {
  const program = compileScenario(text);
  const kernel = new Kernel(program, { seed: 1, ...options });
  const events: KernelEvent[] = [];
  kernel.onEvents = (batch) => {
    events.push(...batch);
  };
  const halt = kernel.run(maxSteps);
  const fullTrace = events.map((e) => formatEvent(e, program)).join('\n');
  const trace = events.filter((e) => !QUIET.has(e.kind)).map((e) => formatEvent(e, program)).join('\n');
  return {
    kernel,
    events,
    halt,
    trace,
    fullTrace,
    summary: summarizeState(kernel),
    passed: kernel.state.expectPassed,
    failed: kernel.state.expectFailed,
    failures: events.filter((e) => e.kind === 'expect' && !e.pass).map((e) => formatEvent(e, program)),
  };
}

/** The standard server: register thread, one shadow handler that returns data word 0 + 1. */
export function server(options: { serve?: string; register?: string; extra?: string; badge?: number; name?: string } = {}): string {
  const name = options.name ?? 'server';
  return `
process ${name} badge ${options.badge ?? 1} {
  thread main {
    let r = register_server(register_thread: reg, routine: serve)
    expect r == 0
  }
  thread reg register runs on_register
  thread handler shadow runs serve
${options.extra ?? ''}
  routine on_register(declared_routine) {
${options.register ?? '    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)'}
  }
  routine serve(msg, badge) {
${options.serve ?? '    ipc_return(msg_data(msg, 0) + 1)'}
  }
}
`;
}

/** A client process whose main thread registers (conn) and then runs `body`. */
export function client(body: string, options: { extra?: string; badge?: number; name?: string; server?: string } = {}): string {
  return `
process ${options.name ?? 'client'} badge ${options.badge ?? 7} {
  pmo shm size 4KiB
  pmo secret size 4KiB
${options.extra ?? ''}
  thread main {
    let conn = register_client(server: ${options.server ?? 'server'}.main, shm: shm, addr: 0x4000_0000)
${body}
  }
}
`;
}

/** A run that finished with no failed expectation, no kernel or thread fault, and `passed` passes. */
export function expectFinishedGreen(run: ScenarioRun, passed: number): void {
  expect(run.failures).toEqual([]);
  expect(run.events.filter((e) => e.kind === 'kernel-fault' || e.kind === 'thread-fault')).toEqual([]);
  expect(run.halt?.reason).toBe('finished');
  expect(run.passed).toBe(passed);
}

/** One process `a` whose main thread runs `body`; `extra` goes before the thread (pmos, ports). */
export const oneProcess = (body: string, extra = ''): string => `
process a {
${extra}
  thread main {
${body}
  }
}`;
