// `kscn trace FILE [--format chrome|json] [-o OUT] [--seed N] [--max-steps N]`: runs a scenario
// with recording on and writes its events as a Chrome trace (Perfetto, chrome://tracing) or as a
// JSON array of kernel events.
import { Kernel } from '../kernel/index';
import type { KernelEvent } from '../kernel/index';
import { toChromeTrace } from '../kernel/export/chrome-trace';
import { allowFlags, DEFAULT_MAX_STEPS, EXIT_FAILED, EXIT_OK, EXIT_USAGE, integerFlag, loadProgram, UsageError, type CliIo, type ParsedArgs } from './io';

export const TRACE_FORMATS = ['chrome', 'json'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export function traceCommand(args: ParsedArgs, io: CliIo): number {
  allowFlags(args, 'trace', ['--format', '-o', '--seed', '--max-steps']);
  if (args.positional.length !== 1) throw new UsageError('trace needs exactly one FILE');
  const file = args.positional[0]!;
  const rawFormat = args.flags.get('--format') ?? 'chrome';
  if (rawFormat === true || !(TRACE_FORMATS as readonly string[]).includes(rawFormat)) {
    throw new UsageError(`option --format must be one of ${TRACE_FORMATS.join(', ')}, got '${String(rawFormat)}'`);
  }
  const format = rawFormat as TraceFormat;
  const output = args.flags.get('-o');
  const maxSteps = integerFlag(args, '--max-steps', DEFAULT_MAX_STEPS, 1);
  const seed = integerFlag(args, '--seed', 1, 0);

  const program = loadProgram(io, file);
  if (!program) return EXIT_USAGE;

  const kernel = new Kernel(program, { seed, record: true });
  const events: KernelEvent[] = [];
  kernel.onEvents = (batch) => {
    for (const event of batch) events.push(event);
  };
  const halt = kernel.run(maxSteps);
  const stats = kernel.expectationStats();
  if (!halt) {
    io.stderr(`kscn: ${file}: stopped after --max-steps ${maxSteps} steps without finishing; the trace ends there\n`);
  }

  let text: string;
  let count: number;
  if (format === 'chrome') {
    const trace = toChromeTrace(events, program, { seed });
    count = trace.traceEvents.length;
    text = JSON.stringify(trace);
  } else {
    count = events.length;
    text = '[' + events.map((e) => JSON.stringify(e)).join(',\n') + ']';
  }
  text += '\n';
  if (typeof output === 'string' && output !== '-') {
    try {
      io.writeFile(output, text);
    } catch (error) {
      const reason = error instanceof Error && 'code' in error ? String((error as { code: unknown }).code) : String(error);
      io.stderr(`kscn: cannot write ${output}: ${reason}\n`);
      return EXIT_USAGE;
    }
    const outcome = halt ? halt.message : `stopped after ${maxSteps} steps`;
    io.stdout(`kscn: wrote ${count} ${format === 'chrome' ? 'trace events' : 'kernel events'} to ${output} (seed ${seed}; ${outcome})\n`);
  } else {
    io.stdout(text);
  }
  const faulted = halt !== undefined && halt.reason !== 'finished';
  return halt === undefined || faulted || stats.failed > 0 ? EXIT_FAILED : EXIT_OK;
}
