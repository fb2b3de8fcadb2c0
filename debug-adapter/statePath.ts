// Paths into the kernel's plain-data state, and the value fingerprints data breakpoints compare.

import type { Kernel } from '../kernel/kernel';

export type StatePath = readonly (string | number)[];

/** Walks a path from the state root; undefined if any part is missing. */
export function readPath(root: unknown, path: StatePath): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** A short string that changes when the value does (deep for records and byte pages). */
export function fingerprint(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return String(value);
  let hash = 0x811c9dc5;
  const mix = (n: number): void => {
    hash ^= n & 0xff;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  };
  const visit = (v: unknown, depth: number): void => {
    if (depth > 6) return;
    if (v === null || v === undefined) {
      mix(0);
      return;
    }
    if (v instanceof Uint8Array) {
      mix(v.length);
      for (let i = 0; i < v.length; i++) mix(v[i]!);
      return;
    }
    if (Array.isArray(v)) {
      mix(v.length);
      for (const item of v) visit(item, depth + 1);
      return;
    }
    if (typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        for (let i = 0; i < key.length; i++) mix(key.charCodeAt(i));
        visit(item, depth + 1);
      }
      return;
    }
    const text = String(v);
    for (let i = 0; i < text.length; i++) mix(text.charCodeAt(i));
    mix(0xff);
  };
  visit(value, 0);
  return `#${hash.toString(16)}`;
}

/** Data breakpoint ids: `state:<json path>` or `local:<thread>:<slot>`. */
export function stateDataId(path: StatePath): string {
  return `state:${JSON.stringify(path)}`;
}

export function localDataId(thread: number, slot: number): string {
  return `local:${thread}:${slot}`;
}

/** The current fingerprint of a data breakpoint's value, or undefined if the id is unknown. */
export function readDataId(kernel: Kernel, dataId: string): string | undefined {
  if (dataId.startsWith('state:')) {
    let path: unknown;
    try {
      path = JSON.parse(dataId.slice(6));
    } catch {
      return undefined;
    }
    if (!Array.isArray(path)) return undefined;
    return fingerprint(readPath(kernel.state, path as StatePath));
  }
  const local = /^local:(\d+):(\d+)$/.exec(dataId);
  if (local) {
    const thread = kernel.state.threads[Number(local[1])];
    return thread ? String(thread.locals[Number(local[2])] ?? 0) : undefined;
  }
  return undefined;
}

/** A readable form of a small value for "changed from ... to ..." messages. */
export function describeData(kernel: Kernel, dataId: string): string {
  if (dataId.startsWith('state:')) {
    try {
      const value = readPath(kernel.state, JSON.parse(dataId.slice(6)) as StatePath);
      if (value === null || typeof value !== 'object') return String(value);
      return fingerprint(value);
    } catch {
      return '?';
    }
  }
  return readDataId(kernel, dataId) ?? '?';
}
