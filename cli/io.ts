// Shared pieces of the `kscn` commands: the I/O interface, exit codes, argument parsing, reading
// and compiling a scenario. Host-independent (`main.ts` binds it to Node).
import { compile } from '../language/core/index';
import type { Diagnostic } from '../language/core/index';
import type { ScenarioProgram } from '../kernel/index';

export interface CliIo {
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  stdout(text: string): void;
  stderr(text: string): void;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const DEFAULT_MAX_STEPS = 10_000_000;

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

export class UsageError extends Error {}

const FLAGS_WITH_VALUES = new Set(['--max-steps', '--seed', '--format', '-o', '--output', '--runs']);
const BOOLEAN_FLAGS = new Set(['--json', '--quiet']);

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(0, eq) : arg;
      if (FLAGS_WITH_VALUES.has(name)) {
        const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`option ${name} needs a value`);
        flags.set(name === '--output' ? '-o' : name, value);
      } else if (BOOLEAN_FLAGS.has(name) && eq < 0) {
        flags.set(name, true);
      } else {
        throw new UsageError(`unknown option ${arg}`);
      }
    } else {
      positional.push(arg);
    }
  }
  return { positional, flags };
}

/** Rejects options that exist but mean nothing to this command (`run --runs 5`). */
export function allowFlags(args: ParsedArgs, command: string, allowed: readonly string[]): void {
  for (const name of args.flags.keys()) {
    if (!allowed.includes(name)) throw new UsageError(`option ${name} does not apply to '${command}'`);
  }
}

export function integerFlag(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const raw = args.flags.get(name);
  if (raw === undefined) return fallback;
  if (raw === true || !/^-?\d+$/.test(raw)) throw new UsageError(`option ${name} needs an integer, got '${String(raw)}'`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`option ${name} must be an integer >= ${min}`);
  return value;
}

export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.range.start.line}:${d.range.start.column}: ${d.severity}: ${d.message}`;
}

export function readSource(io: CliIo, file: string): string | undefined {
  try {
    return io.readFile(file);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String((error as { code: unknown }).code) : String(error);
    io.stderr(`kscn: cannot read ${file}: ${reason}\n`);
    return undefined;
  }
}

/** Reads and compiles a scenario; reports why not (on stderr) and returns undefined. */
export function loadProgram(io: CliIo, file: string): ScenarioProgram | undefined {
  const text = readSource(io, file);
  if (text === undefined) return undefined;
  const { program, diagnostics } = compile(text, file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!program || errors.length > 0) {
    for (const d of errors) io.stderr(formatDiagnostic(file, d) + '\n');
    return undefined;
  }
  return program;
}

/** Quotes a command-line argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
