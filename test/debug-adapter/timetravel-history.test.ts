// The history's own machinery, without DAP: structural sharing between checkpoints, the copy a
// restore gets, reaching any moment by re-execution from a checkpoint, the step bound and the
// checkpoint memory budget.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../kernel/kernel';
import { compile } from '../../language/core/index';
import { History, materialize, shareClone, stateDigest } from '../../debug-adapter/history';
import { fixture, ROOT } from './harness';

function kernelFor(name: string): Kernel {
  const file = fixture(name);
  const kernel = new Kernel(compile(readFileSync(file, 'utf8'), file).program!, { record: true });
  kernel.subscribe(() => undefined);
  return kernel;
}

describe('checkpoint sharing', () => {
  it('keeps unchanged memory pages, records and array chunks once', () => {
    const page = new Uint8Array(4096).fill(7);
    const changed = new Uint8Array(4096);
    const big = Array.from({ length: 5000 }, (_, i) => i);
    const first = shareClone({ pmos: [{ pages: [page, changed] }], slots: big, name: 'x' }, undefined, { bytes: 0 }) as Record<string, unknown>;
    const edited = big.slice();
    edited[4321] = -1;
    changed[0] = 1;
    const counter = { bytes: 0 };
    const second = shareClone({ pmos: [{ pages: [new Uint8Array(page), changed] }], slots: edited, name: 'x' }, first, counter) as Record<string, unknown>;
    const pages = (s: Record<string, unknown>) => (s.pmos as { pages: Uint8Array[] }[])[0]!.pages;
    expect(pages(second)[0]).toBe(pages(first)[0]);
    expect(pages(second)[1]).not.toBe(pages(first)[1]);
    // One 256-element chunk of the 5000-element array changed; the other 19 are shared.
    const chunks = (s: Record<string, unknown>) => (s.slots as { chunks: unknown[][] }).chunks;
    expect(chunks(second).filter((chunk, i) => chunk === chunks(first)[i])).toHaveLength(19);
    expect(counter.bytes).toBeLessThan(4096 + 256 * 8 + 2048);
    expect(materialize(second)).toEqual({ pmos: [{ pages: [page, changed] }], slots: edited, name: 'x' });
    const again = shareClone({ pmos: [{ pages: [page, changed] }], slots: edited, name: 'x' }, second, { bytes: 0 });
    expect(again).toBe(second);
  });

  it('a restored copy is fresh: changing it does not change the checkpoint', () => {
    const kernel = kernelFor('timetravel.kscn');
    for (let i = 0; i < 40; i++) kernel.step();
    const history = new History({ maxSteps: 1000, checkpointInterval: 10 }, kernel.state);
    const digest = stateDigest(kernel.state);
    const copy = history.checkpointFor(0).state;
    expect(stateDigest(copy)).toBe(digest);
    copy.threads.forEach((thread) => thread && (thread.ip = 99));
    copy.pmos.forEach((pmo) => pmo?.pages.forEach((bytes) => bytes?.fill(9)));
    expect(stateDigest(history.checkpointFor(0).state)).toBe(digest);
  });
});

describe('History', () => {
  /** Runs a kernel recording every step; returns the digests of every moment. */
  function record(kernel: Kernel, history: History, steps: number): string[] {
    const digests = [stateDigest(kernel.state)];
    for (let p = 0; p < steps && !kernel.halt; p++) {
      history.record(1, 1, 0);
      kernel.step();
      history.noteEvents(p, 0, 0);
      history.afterStep(p + 1, () => kernel.state);
      digests.push(stateDigest(kernel.state));
    }
    return digests;
  }

  function reach(kernel: Kernel, history: History, position: number): string {
    const checkpoint = history.checkpointFor(position);
    kernel.restore(checkpoint.state);
    for (let q = checkpoint.position; q < position; q++) kernel.step();
    return stateDigest(kernel.state);
  }

  it('reaches every recorded moment by re-execution from its checkpoint', () => {
    const kernel = kernelFor('timetravel.kscn');
    const history = new History({ maxSteps: 10_000, checkpointInterval: 7 }, kernel.state);
    const digests = record(kernel, history, 500);
    for (let p = digests.length - 1; p >= 0; p -= 3) expect(reach(kernel, history, p)).toBe(digests[p]);
  });

  it('drops the oldest history beyond maxSteps', () => {
    const kernel = kernelFor('timetravel.kscn');
    const history = new History({ maxSteps: 40, checkpointInterval: 10 }, kernel.state);
    const digests = record(kernel, history, 130);
    expect(history.head).toBe(digests.length - 1);
    expect(history.head - history.horizon).toBeLessThanOrEqual(40);
    expect(history.horizon).toBeGreaterThan(0);
    expect(reach(kernel, history, history.horizon)).toBe(digests[history.horizon]);
  });

  // Every example (ChCore IPC, Mach ports and RPC, XNU nodes and links, Tock IPC and MPU, injected
  // faults): whatever its state holds, a checkpoint plus re-execution gives the recorded moment.
  const examples = readdirSync(path.join(ROOT, 'examples')).filter((file) => file.endsWith('.kscn'));
  it.each(examples)('reaches recorded moments of examples/%s exactly', (name) => {
    const file = path.join(ROOT, 'examples', name);
    const program = compile(readFileSync(file, 'utf8'), file).program;
    expect(program, `examples/${name} compiles`).toBeDefined();
    const kernel = new Kernel(program!, { record: true });
    kernel.subscribe(() => undefined);
    const history = new History({ maxSteps: 100_000, checkpointInterval: 13 }, kernel.state);
    const digests = record(kernel, history, 3000);
    for (let p = digests.length - 1; p >= 0; p -= 17) expect(reach(kernel, history, p), `${name} at step ${p}`).toBe(digests[p]);
  });

  it('thins checkpoints out when they outgrow their memory budget, and still reaches every moment', () => {
    const kernel = kernelFor('timetravel.kscn');
    const history = new History({ maxSteps: 10_000, checkpointInterval: 2, checkpointBudget: 64 * 1024 }, kernel.state);
    const digests = record(kernel, history, 150);
    expect(history.checkpointInterval).toBeGreaterThan(2);
    expect(history.info().checkpointBytes).toBeLessThan(2 * 64 * 1024);
    for (let p = digests.length - 1; p >= 0; p -= 5) expect(reach(kernel, history, p)).toBe(digests[p]);
  });
});
