// Language-server benchmark: drives a real server over a JSON-RPC stream pair with a large
// scenario and measures diagnostics latency after an edit, and completion and hover latency.
// Wall-clock time is read here, in the benchmark only.

import { performance } from 'node:perf_hooks';
import { PassThrough } from 'node:stream';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import {
  createConnection, ProposedFeatures, StreamMessageReader as ServerStreamReader, StreamMessageWriter as ServerStreamWriter,
} from 'vscode-languageserver/node';
import { analyze, isIncrementalAnalysis, reanalyze } from '../core/index';
import { generateLargeScenario } from '../core/generate';
import { DIAGNOSTICS_DELAY_MS } from './diagnostics';
import { startLanguageServer } from './server';

export interface LanguageServerBenchOptions {
  /** Lines of the generated scenario (10,000 by default). */
  readonly lines?: number;
  /** Edits measured for diagnostics latency. */
  readonly edits?: number;
  /** Completion and hover requests measured. */
  readonly requests?: number;
}

export interface LanguageServerBenchResult {
  /** Median time from an edit to its diagnostics, minus the coalescing delay. */
  diagnosticsMs: number;
  /**
   * Median process CPU time (user + system, this process: client, server and GC) from an edit to
   * its diagnostics; the coalescing delay is idle. On a busy machine this is the steadier figure.
   */
  diagnosticsCpuMs: number;
  /** The slowest edit's time (wall), minus the delay. */
  diagnosticsMaxMs: number;
  /** How many of the measured edits were analysed incrementally (see `reanalyze`). */
  incrementalEdits: number;
  edits: number;
  completionP95: number;
  hoverP95: number;
  /** Details: the scenario's size, the delay, the raw medians, and the core's own analysis time. */
  lines: number;
  /** Median time of the core's full `analyze` on the same text, in this process (what an edit cost before `reanalyze`). */
  analysisMs: number;
  /** Median CPU time of the full `analyze`. */
  analysisCpuMs: number;
  /** Median time of `reanalyze` after the benchmark's edit (the incremental path the server takes). */
  reanalysisMs: number;
  reanalysisCpuMs: number;
  /** diagnosticsMs minus reanalysisMs: what the server adds (sync, conversion, transport). */
  serverOverheadMs: number;
  coalescingDelayMs: number;
  completionMedian: number;
  hoverMedian: number;
}

/** The benchmark the lead's `npm run bench` calls. */
export async function benchLanguageServer(options: LanguageServerBenchOptions = {}): Promise<LanguageServerBenchResult> {
  const lineCount = options.lines ?? 10_000;
  const edits = options.edits ?? 15;
  const requests = options.requests ?? 200;
  let text = generateLargeScenario(lineCount);
  // The core's generator may still be a placeholder: fall back to one of ours.
  if (!text.includes('process') || text.split('\n').length < lineCount / 2) text = fallbackLargeScenario(lineCount);

  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const serverConnection = createConnection(ProposedFeatures.all, new ServerStreamReader(toServer), new ServerStreamWriter(toClient));
  const server = startLanguageServer(serverConnection);
  const client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  const published = new Map<number, number>();
  const waiters = new Map<number, () => void>();
  client.onNotification('textDocument/publishDiagnostics', (params: { version?: number }) => {
    if (params.version === undefined) return;
    published.set(params.version, performance.now());
    waiters.get(params.version)?.();
  });
  client.listen();
  const waitForVersion = (version: number): Promise<number> =>
    new Promise((resolve) => {
      const done = (): void => resolve(published.get(version)!);
      if (published.has(version)) done();
      else waiters.set(version, done);
    });

  try {
    await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
    await client.sendNotification('initialized', {});
    const uri = 'file:///bench/large.kscn';
    await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'kscenario', version: 1, text } });
    await waitForVersion(1);

    // Diagnostics: edit a line in the middle, time until that version's diagnostics arrive.
    const lines = text.split('\n');
    const editLine = Math.floor(lines.length / 2);
    const latencies: number[] = [];
    const cpuTimes: number[] = [];
    let incrementalEdits = 0;
    let version = 1;
    for (let i = 0; i < edits; i++) {
      version++;
      const start = performance.now();
      const startCpu = process.cpuUsage();
      await client.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        // Insert a line, then delete it again: every edit changes the text.
        contentChanges: [{ range: { start: { line: editLine, character: 0 }, end: { line: editLine + (i % 2), character: 0 } }, text: i % 2 === 0 ? '# edit\n' : '' }],
      });
      const end = await waitForVersion(version);
      const cpu = process.cpuUsage(startCpu);
      latencies.push(end - start - DIAGNOSTICS_DELAY_MS);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
      const document = server.documents.get(uri);
      if (document !== undefined && document.isAnalyzed && isIncrementalAnalysis(document.analysis)) incrementalEdits++;
      if (i % 2 === 0) lines.splice(editLine, 0, '# edit');
      else lines.splice(editLine, 1);
    }
    // Leave the text as the server has it.
    const current = lines;

    // Completion and hover positions: inside calls and on names across the file.
    const completionPositions: { line: number; character: number }[] = [];
    const hoverPositions: { line: number; character: number }[] = [];
    for (let line = 0; line < current.length && (completionPositions.length < requests || hoverPositions.length < requests); line += 7) {
      const content = current[line]!;
      const call = content.indexOf('(');
      if (call > 0 && completionPositions.length < requests) completionPositions.push({ line, character: call + 1 });
      const name = content.search(/[a-z_]+\(/);
      if (name >= 0 && hoverPositions.length < requests) hoverPositions.push({ line, character: name + 1 });
    }
    const measure = async (method: string, positions: { line: number; character: number }[]): Promise<number[]> => {
      const times: number[] = [];
      for (const position of positions) {
        const start = performance.now();
        await client.sendRequest(method, { textDocument: { uri }, position });
        times.push(performance.now() - start);
      }
      return times.sort((a, b) => a - b);
    };
    // Warm up once (the first request builds the lookup indexes of this version).
    await client.sendRequest('textDocument/hover', { textDocument: { uri }, position: hoverPositions[0] ?? { line: 0, character: 0 } });
    const completionTimes = await measure('textDocument/completion', completionPositions);
    const hoverTimes = await measure('textDocument/hover', hoverPositions);
    const sortedLatencies = [...latencies].sort((a, b) => a - b);
    const analysisTimes: number[] = [];
    const analysisCpu: number[] = [];
    const reanalysisTimes: number[] = [];
    const reanalysisCpu: number[] = [];
    const currentText = current.join('\n');
    const editedText = [...current.slice(0, editLine), '# edit', ...current.slice(editLine)].join('\n');
    let previous = analyze(currentText, 'large.kscn');
    for (let i = 0; i < 5; i++) {
      const startCpu = process.cpuUsage();
      const start = performance.now();
      analyze(currentText, 'large.kscn');
      analysisTimes.push(performance.now() - start);
      const cpu = process.cpuUsage(startCpu);
      analysisCpu.push((cpu.user + cpu.system) / 1000);
    }
    for (let i = 0; i < 10; i++) {
      const startCpu = process.cpuUsage();
      const start = performance.now();
      previous = reanalyze(previous, i % 2 === 0 ? editedText : currentText);
      reanalysisTimes.push(performance.now() - start);
      const cpu = process.cpuUsage(startCpu);
      reanalysisCpu.push((cpu.user + cpu.system) / 1000);
    }
    for (const list of [analysisTimes, analysisCpu, reanalysisTimes, reanalysisCpu, cpuTimes]) list.sort((a, b) => a - b);
    const diagnosticsMs = percentile(sortedLatencies, 0.5);
    const analysisMs = percentile(analysisTimes, 0.5);
    return {
      diagnosticsMs: round(diagnosticsMs),
      diagnosticsCpuMs: round(percentile(cpuTimes, 0.5)),
      diagnosticsMaxMs: round(sortedLatencies[sortedLatencies.length - 1] ?? Number.NaN),
      incrementalEdits,
      edits,
      analysisMs: round(analysisMs),
      analysisCpuMs: round(percentile(analysisCpu, 0.5)),
      reanalysisMs: round(percentile(reanalysisTimes, 0.5)),
      reanalysisCpuMs: round(percentile(reanalysisCpu, 0.5)),
      serverOverheadMs: round(diagnosticsMs - percentile(reanalysisTimes, 0.5)),
      completionP95: round(percentile(completionTimes, 0.95)),
      hoverP95: round(percentile(hoverTimes, 0.95)),
      lines: text.split('\n').length,
      coalescingDelayMs: DIAGNOSTICS_DELAY_MS,
      completionMedian: round(percentile(completionTimes, 0.5)),
      hoverMedian: round(percentile(hoverTimes, 0.5)),
    };
  } finally {
    try {
      await client.sendRequest('shutdown');
    } catch {
      // Ignore: the benchmark is over.
    }
    client.dispose();
    serverConnection.dispose();
    toServer.end();
    toClient.end();
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A valid scenario of about `lineCount` lines: server/client pairs with many IPC calls. */
export function fallbackLargeScenario(lineCount: number): string {
  const out: string[] = ['scenario "large"', ''];
  for (let p = 0; out.length < lineCount; p++) {
    out.push(
      `process server${p} {`,
      '  thread main {',
      '    let r = register_server(register_thread: reg, routine: serve)',
      '    expect r == 0',
      '  }',
      '  thread reg register runs on_register',
      '  thread handler shadow runs serve',
      '  routine on_register(declared) {',
      '    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)',
      '  }',
      '  routine serve(msg, badge) {',
      '    let x = msg_data(msg, 0)',
      '    ipc_return(x + 1)',
      '  }',
      '}',
      `process client${p} {`,
      '  pmo shm size 4KiB',
      '  thread main {',
      `    let conn = register_client(server: server${p}.main, shm: shm, addr: 0x4000_0000)`,
    );
    for (let i = 0; i < 40; i++) out.push(`    let r${i} = ipc_call(conn, data: [${i}])`, `    expect r${i} == ${i + 1} or r${i} == -EIPCRETRY`);
    out.push('  }', '}', '');
  }
  return out.join('\n');
}
