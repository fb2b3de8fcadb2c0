// Bundles one file per process with esbuild: the CLI, the debug adapter, the language server,
// the extension host entry and the benchmark.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = [
  { in: 'cli/main.ts', out: 'dist/cli.js' },
  { in: 'bench/main.ts', out: 'dist/bench.js' },
  { in: 'debug-adapter/main.ts', out: 'dist/debug-adapter.js' },
  { in: 'language/server/main.ts', out: 'dist/language-server.js' },
  { in: 'extension/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
];

const production = process.argv.includes('--production');

await Promise.all(
  entries
    .filter((entry) => existsSync(entry.in))
    .map((entry) =>
      build({
        entryPoints: [entry.in],
        outfile: entry.out,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        sourcemap: production ? false : 'linked',
        minify: production,
        external: entry.external ?? [],
        logLevel: 'warning',
      }),
    ),
);
