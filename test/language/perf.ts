// Performance sanity script (not a timed test): parse + check of a generated 10,000-line scenario,
// and the incremental re-analysis after an edit.
// Run: npx esbuild test/language/perf.ts --bundle --platform=node --log-level=warning | node
// Target: under 100 ms per parse + check on the 2-core CI machine, after warm-up.

import { analyze, compile, formatDocument, generateLargeScenario, isIncrementalAnalysis, parse, reanalyze } from '../../language/core/index';

const lines = Number(process.argv[2] ?? 10_000);
const text = generateLargeScenario(lines);
/**
 * Wall time and process CPU time (user + system, GC threads included). On a busy machine the CPU
 * time is the steadier figure: wall time also counts the time other processes held the CPU.
 */
const time = (label: string, runs: number, body: () => void): void => {
  for (let i = 0; i < 3; i++) body(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    body();
    const usage = process.cpuUsage(startCpu);
    wall.push(performance.now() - start);
    cpu.push((usage.user + usage.system) / 1000);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `${label.padEnd(22)} wall median ${median(wall).toFixed(1)} ms (best ${Math.min(...wall).toFixed(1)}), ` +
      `cpu median ${median(cpu).toFixed(1)} ms (best ${Math.min(...cpu).toFixed(1)}), ${runs} runs`,
  );
};

const result = compile(text, 'large.kscn');
const errors = result.diagnostics.filter((d) => d.severity === 'error');
console.log(`${text.split('\n').length - 1} lines, ${text.length} characters, ${errors.length} errors, ${result.program?.processes.length ?? 0} processes`);
if (errors.length > 0) console.log(errors.slice(0, 5));
time('parse', 15, () => parse(text, 'large.kscn'));
time('parse + check', 15, () => analyze(text, 'large.kscn'));
time('compile (with lower)', 15, () => compile(text, 'large.kscn'));
time('format', 5, () => formatDocument(text));
{
  // What the language server does after an edit: a line inserted in (then removed from) a process
  // in the middle of the file, analysed incrementally from the previous version's analysis.
  const all = text.split('\n');
  const middle = Math.floor(all.length / 2);
  const edited = [...all.slice(0, middle), '    # edit', ...all.slice(middle)].join('\n');
  let current = analyze(text, 'large.kscn');
  let flip = false;
  let incremental = 0;
  time('reanalyze (one edit)', 15, () => {
    flip = !flip;
    current = reanalyze(current, flip ? edited : text);
    if (isIncrementalAnalysis(current)) incremental++;
  });
  console.log(`${incremental} of 18 reanalyses were incremental`);
}
