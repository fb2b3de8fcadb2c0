// Architecture Invariant: kernel/ is a pure library. No Node modules, no VS Code, no DAP/LSP, no
// host clock, timers or host randomness; every import is relative and stays inside kernel/.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const KERNEL = join(__dirname, '../../kernel');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [relative(KERNEL, path)] : [];
  });
}

const files = sources(KERNEL);

function code(text: string): string {
  // Strip comments and string literals so that prose does not trip the scan.
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/'(?:\\.|[^'\\])*'/g, "''")
    .replace(/`(?:\\.|[^`\\])*`/g, '``');
}

describe('kernel purity', () => {
  it('has source files', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files)('%s imports only kernel modules', (file) => {
    const text = readFileSync(join(KERNEL, file), 'utf8');
    const imports = [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
    const dynamic = [...text.matchAll(/(?:import|require)\s*\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
    for (const target of [...imports, ...dynamic]) {
      expect(target, `${file} imports ${target}`).toMatch(/^\.\.?\//);
      const resolved = resolve(dirname(join(KERNEL, file)), target);
      expect(relative(KERNEL, resolved).startsWith('..'), `${file} imports ${target} from outside kernel/`).toBe(false);
    }
  });

  it.each(files)('%s uses no host clock, timers, randomness or I/O', (file) => {
    const text = code(readFileSync(join(KERNEL, file), 'utf8'));
    const forbidden = [
      /\bDate\b/,
      /\bperformance\b/,
      /\bsetTimeout\b/,
      /\bsetInterval\b/,
      /\bsetImmediate\b/,
      /\bqueueMicrotask\b/,
      /\bMath\.random\b/,
      // `process` is a fine name for a Tock process; Node's global is caught by its members.
      /\bprocess\.(?:env|exit|argv|cwd|hrtime|nextTick|stdout|stderr|platform|memoryUsage|uptime)\b/,
      /\brequire\s*\(/,
      /\bglobalThis\b/,
      /\bconsole\./,
      /\bcrypto\b/,
      /\bfetch\s*\(/,
    ];
    for (const pattern of forbidden) expect(text, `${file} uses ${pattern}`).not.toMatch(pattern);
  });
});
