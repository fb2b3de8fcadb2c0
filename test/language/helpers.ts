// Helpers for the language tests: diagnostics as compact `line:column message` strings, and
// snippet wrappers that put statements inside a thread.

import { analyze, parse, type Diagnostic } from '../../language/core/index';

/** `line:column message` for each diagnostic (severity prefixed unless it is an error). */
export function show(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.severity === 'error' ? '' : d.severity + ': '}${d.message}`);
}

export function checkDiagnostics(text: string): string[] {
  return show(analyze(text, 'test.kscn').diagnostics);
}

export function parseDiagnostics(text: string): string[] {
  return show(parse(text, 'test.kscn').diagnostics);
}

/**
 * Wraps statements in `process p { thread main { ... } }` plus a server process with a register
 * thread, handler and a PMO; the statements start on line 3, column 5.
 */
export function inThread(statements: string, extraItems = ''): string {
  const body = statements
    .split('\n')
    .map((line) => (line.length > 0 ? '    ' + line : line))
    .join('\n');
  return `process p {
  thread main {
${body}
  }
  pmo shm size 4KiB
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(r) {
    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)
  }
  routine serve(msg, badge) {
    ipc_return(0)
  }
${extraItems}}
process other {
  thread t {
    yield()
  }
  pmo buf size 4KiB
}
`;
}

/** Checks that every diagnostic range lies inside the text with start <= end. */
export function rangesAreValid(text: string, diagnostics: readonly Diagnostic[]): boolean {
  for (const d of diagnostics) {
    const { start, end } = d.range;
    if (!(start.offset >= 0 && start.offset <= end.offset && end.offset <= text.length)) return false;
    if (!(start.line >= 1 && start.column >= 1 && end.line >= start.line)) return false;
    for (const r of d.related ?? []) {
      if (!(r.range.start.offset >= 0 && r.range.start.offset <= r.range.end.offset && r.range.end.offset <= text.length)) return false;
    }
  }
  return true;
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
