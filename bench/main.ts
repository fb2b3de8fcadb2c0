// `npm run bench`: measures the figures recorded in docs/benchmarks.md and prints them.
// Wall-clock time is read here, in the benchmark, never in the kernel or in tests.
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { analyze, compile } from '../language/core/index';
import { generateLargeScenario } from '../language/core/generate';
import { Kernel } from '../kernel/index';
import type { ScenarioProgram } from '../kernel/program';
import { benchDebugAdapter } from '../debug-adapter/bench';
import { benchTimeTravel } from '../debug-adapter/bench-timetravel';
import { machRoundTripScenario } from '../kernel/mach/bench-scenario';
import { CHCORE_RAW_CALL, chcoreRoundTripScenario } from '../kernel/chcore-bench-scenario';
import { nodeTableScenario } from '../kernel/xnu/bench-scenario';
import { benchLanguageServer } from '../language/server/bench';

function compileOrDie(text: string, file: string): ScenarioProgram {
  const { program, diagnostics } = compile(text, file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!program || errors.length > 0) {
    throw new Error(`${file}: ${errors.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.message}`).join('; ')}`);
  }
  return program;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measureRoundTrips(record: boolean, raw: boolean): number {
  const calls = record ? 200_000 : 1_000_000;
  const program = compileOrDie(chcoreRoundTripScenario(calls, [raw ? CHCORE_RAW_CALL : 'ipc_call(conn, data: [i])']), 'roundtrip.kscn');
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    const kernel = new Kernel(program, { seed: 1, record });
    let events = 0;
    if (record) {
      kernel.onEvents = (batch) => {
        events += batch.length;
      };
    }
    const start = performance.now();
    const halt = kernel.run(Number.MAX_SAFE_INTEGER);
    const seconds = (performance.now() - start) / 1000;
    if (!halt || halt.reason !== 'finished') throw new Error(`round-trip scenario did not finish: ${JSON.stringify(halt)}`);
    if (record && events < calls) throw new Error('recording produced fewer events than calls');
    rates.push(calls / seconds);
  }
  return median(rates);
}

/** Median rate of `units` per second over runs of a scenario, recording off. */
function measureScenario(text: string, file: string, units: number, runs = 3): { rate: number; ms: number } {
  const program = compileOrDie(text, file);
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const kernel = new Kernel(program, { seed: 1, record: false });
    const start = performance.now();
    const halt = kernel.run(Number.MAX_SAFE_INTEGER);
    times.push(performance.now() - start);
    if (!halt || halt.reason !== 'finished') throw new Error(`${file} did not finish: ${JSON.stringify(halt)}`);
    if (kernel.expectationStats().failed > 0) throw new Error(`${file}: an expectation failed`);
  }
  const ms = median(times);
  return { rate: units / (ms / 1000), ms };
}

/** Parse + check (`analyze`), the issue's figure, and the whole compilation with lowering. */
function measureParseCheck(lines: number): { ms: number; compileMs: number; actualLines: number } {
  const text = generateLargeScenario(lines);
  const actualLines = text.split('\n').length;
  const times: number[] = [];
  const compileTimes: number[] = [];
  for (let run = 0; run < 9; run++) {
    let start = performance.now();
    const { diagnostics } = analyze(text, 'large.kscn');
    times.push(performance.now() - start);
    if (diagnostics.some((d) => d.severity === 'error')) throw new Error('generated scenario has errors');
    start = performance.now();
    const { program } = compile(text, 'large.kscn');
    compileTimes.push(performance.now() - start);
    if (!program) throw new Error('generated scenario did not lower');
  }
  return { ms: median(times), compileMs: median(compileTimes), actualLines };
}

function format(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`kscn benchmarks on ${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
console.log('');

const off = measureRoundTrips(false, true);
console.log(`ChCore IPC round trips/s, recording off (raw message):   ${format(off)}   (target 1,000,000)`);
const offData = measureRoundTrips(false, false);
console.log(`ChCore IPC round trips/s, recording off (data: [i]):     ${format(offData)}`);
const on = measureRoundTrips(true, true);
console.log(`ChCore IPC round trips/s, recording on (raw message):    ${format(on)}   (target 300,000)`);

const machCalls = 200_000;
const mach = measureScenario(machRoundTripScenario(machCalls), 'mach-roundtrip.kscn', machCalls);
console.log(`Mach message round trips/s (send + receive + reply), recording off: ${format(mach.rate)}   (target 500,000)`);
const nodes = measureScenario(nodeTableScenario(1024), 'node-table.kscn', 1024);
console.log(`XNU node table of 1,024 entries filled and published: ${nodes.ms.toFixed(1)} ms`);

const parse = measureParseCheck(10_000);
console.log(`parse + check of a ${format(parse.actualLines)}-line scenario: ${parse.ms.toFixed(1)} ms   (target 100 ms); with lowering to the kernel program: ${parse.compileMs.toFixed(1)} ms`);

const adapter = await benchDebugAdapter();
console.log(`debug adapter step cycle (step → stopped → stackTrace, scopes, variables): p50 ${adapter.stepP50.toFixed(2)} ms, p95 ${adapter.stepP95.toFixed(2)} ms   (target p95 5 ms)`);
console.log(`debug adapter launch to first stop: ${adapter.launchToFirstStopMs.toFixed(1)} ms   (target 150 ms)`);
console.log(`debug adapter page of 100 slots in a 100,000-slot table: ${adapter.pageOf100Ms.toFixed(2)} ms   (target 5 ms)`);

const travel = await benchTimeTravel();
console.log(`time travel after ${format(travel.events)} kernel events: one stepBack ${travel.stepBackMs.toFixed(1)} ms, history ${(travel.historyBytes / 2 ** 20).toFixed(1)} MiB   (targets 50 ms, 256 MB)`);

const server = await benchLanguageServer();
console.log(`language server diagnostics after an edit to a ${format(server.lines)}-line scenario: ${server.diagnosticsMs.toFixed(1)} ms after the ${server.coalescingDelayMs} ms coalescing delay (analysis ${server.analysisMs.toFixed(1)} ms)   (target 30 ms)`);
console.log(`language server completion p95 ${server.completionP95.toFixed(2)} ms, hover p95 ${server.hoverP95.toFixed(2)} ms   (target 10 ms)`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
