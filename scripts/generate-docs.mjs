// Regenerates the syscall, builtin and constant tables of docs/language.md from the kernel's
// tables, so the reference cannot drift from them. `--check` fails instead of writing.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const check = process.argv.includes('--check');
const { build } = await import(root + '/node_modules/esbuild/lib/main.js');
const result = await build({
  stdin: { contents: "export { SYSCALLS, BUILTINS } from './kernel/syscalls.ts'; export * from './kernel/constants.ts';", resolveDir: root, loader: 'ts', sourcefile: 't.ts' },
  bundle: true, write: false, format: 'esm', platform: 'neutral', logLevel: 'error',
});
const mod = await import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString('base64')}`);
const cell = (t) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const params = (ps) => (ps.length === 0 ? '—' : ps.map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.kind}`).join(', '));
const sys = ['| Syscall | Parameters (`?` = optional) | Exclusive | Result kind | Summary |', '|---|---|---|---|---|',
  ...mod.SYSCALLS.map((s) => `| \`${s.name}\` | ${params(s.params)} | ${s.exclusive ? s.exclusive.map((g) => g.join(' / ')).join('; ') : '—'} | ${s.resultKind ?? '—'} | ${cell(s.summary)} |`)];
const bi = ['| Builtin | Form | Parameters | Summary |', '|---|---|---|---|',
  ...mod.BUILTINS.map((b) => `| \`${b.name}\` | ${b.form} | ${b.params.length === 0 ? '—' : b.params.map((p) => `${p.name}: ${p.kind}`).join(', ')} | ${cell(b.summary)} |`)];
const path = root + '/docs/language.md';
const original = await readFile(path, 'utf8');
let doc = original;
const replaceTable = (text, header, rows) => {
  const start = text.indexOf(header);
  if (start < 0) throw new Error('no table ' + header);
  const end = text.indexOf('\n\n', start);
  return text.slice(0, start) + rows.join('\n') + text.slice(end);
};
doc = replaceTable(doc, '| Syscall | Parameters', sys);
doc = replaceTable(doc, '| Builtin | Form |', bi);
const hex = (v) => {
  if (v <= 0xffff) return String(v);
  const digits = v.toString(16);
  const groups = [];
  for (let i = digits.length; i > 0; i -= 4) groups.unshift(digits.slice(Math.max(0, i - 4), i));
  return '0x' + groups.join('_');
};
const row = (label, entries) => `| ${label} | ${entries.map(([k, v]) => `\`${k}\` ${hex(v)}`).join(', ')} |`;
const families = [
  ['ChCore errors', mod.ChCoreError],
  ['Mach `kern_return_t`', mod.KernReturn],
  ['Mach `mach_msg_return_t`', mod.MachReturn],
  ['Mach constants', mod.MachConstant],
  ['XNU constants', mod.XnuConstant],
  ['Tock `ErrorCode`', mod.TockError],
  ['Thread states', mod.ThreadState],
  ['Exit states', mod.ThreadExitState],
].filter(([, o]) => o !== undefined && Object.keys(o).length > 0);
const constants = ['| Family | Constants |', '|---|---|', ...families.map(([label, o]) => row(label, Object.entries(o))), row('Configuration', [['KBASE', mod.KBASE], ['PAGE_SIZE', mod.PAGE_SIZE]])];
doc = replaceTable(doc, '| Family | Constants |', constants);
const missing = [...mod.NAMED_CONSTANTS.keys()].filter((n) => !doc.includes('`' + n + '`'));
if (missing.length > 0) console.log('constants missing from the doc:', missing.join(', '));
if (check) {
  if (doc !== original) {
    console.error('docs/language.md tables are out of date: run npm run generate');
    process.exit(1);
  }
} else if (doc !== original) {
  await writeFile(path, doc);
}
console.log(`${mod.SYSCALLS.length} syscalls, ${mod.BUILTINS.length} builtins`);
