// The reference has one page per syscall, and each page names every error code the syscall's
// table entry lists, so the docs cannot fall behind the kernel's tables.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SYSCALLS } from '../../kernel/syscalls';

const dir = path.resolve(__dirname, '../../docs/syscalls');

describe('docs/syscalls', () => {
  for (const spec of SYSCALLS) {
    it(`${spec.name} has a page that names its error codes`, () => {
      const page = path.join(dir, `${spec.name}.md`);
      expect(existsSync(page), `docs/syscalls/${spec.name}.md`).toBe(true);
      const text = readFileSync(page, 'utf8');
      for (const error of spec.errors) {
        const code = error.code.replace(/^-/, '');
        expect(text, `${spec.name}.md mentions ${error.code}`).toContain(code);
      }
    });
  }

  it('the index links every page', () => {
    const index = readFileSync(path.join(dir, 'README.md'), 'utf8');
    for (const spec of SYSCALLS) expect(index, spec.name).toContain(`${spec.name}.md`);
  });
});
