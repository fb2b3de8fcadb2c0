// How the debug adapter reads scenarios: one injected interface, so tests can run the session
// in-process over files they make up, and the adapter process over the real file system.

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

export interface FileAccessor {
  /** The text of a file; rejects if it cannot be read. */
  readFile(file: string): Promise<string>;
  /** An absolute, normalized form of a path, for comparing breakpoint sources with the program. */
  normalize(file: string): string;
}

export const nodeFileAccessor: FileAccessor = {
  readFile: (file) => readFile(file, 'utf8'),
  normalize: (file) => path.resolve(file),
};
