// Entry point of the `kscn` command: reads files and the process's arguments, then hands over
// to the host-independent command implementation in `commands.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { runCli } from './commands';

const code = runCli(process.argv.slice(2), {
  readFile: (path) => readFileSync(path, 'utf8'),
  writeFile: (path, text) => writeFileSync(path, text),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exitCode = code;
