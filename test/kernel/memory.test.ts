// User-memory copies (kernel/memory.ts): the fast paths (a range inside one page of one VMR, int32
// indexing) give exactly the results of a byte-by-byte walk: bytes, faults and the faulting
// address, lazily allocated pages, read-only VMRs, VMR and page edges, addresses above 2^31 and
// up to KBASE.
import { describe, expect, it } from 'vitest';
import { KBASE, PAGE_SIZE } from '../../kernel/constants';
import { findVmr, lastAccess, readUser, readUserInt, writeUser, writeUserInt } from '../../kernel/memory';
import type { KernelState, PhysicalMemoryObject, VmSpace } from '../../kernel/state';

interface Space {
  vmspaces: (VmSpace | null)[];
  pmos: (PhysicalMemoryObject | null)[];
}

const HIGH = 0x7000_0000_0000 - 4 * PAGE_SIZE;
const NEAR_KBASE = KBASE - 2 * PAGE_SIZE;

function makeSpace(): Space {
  const pmo = (id: number, pages: number, filled: number[]): PhysicalMemoryObject => {
    const list: (Uint8Array | null)[] = [];
    for (let p = 0; p < pages; p++) {
      if (!filled.includes(p)) {
        list.push(null);
        continue;
      }
      const page = new Uint8Array(PAGE_SIZE);
      for (let i = 0; i < PAGE_SIZE; i++) page[i] = (i * 7 + id * 31 + p * 13) & 0xff;
      list.push(page);
    }
    return { id, name: `pmo${id}`, machine: 0, size: pages * PAGE_SIZE, pages: list, freed: false };
  };
  const pmos = [null, pmo(1, 3, [0, 2]), pmo(2, 1, [0]), pmo(3, 4, [1, 2, 3]), pmo(4, 2, [0, 1])];
  const vmspace: VmSpace = {
    id: 1,
    group: 0,
    vmrs: [
      { start: 0x1000, size: 3 * PAGE_SIZE, pmo: 1, writable: true },
      { start: 0x4000, size: PAGE_SIZE, pmo: 2, writable: false }, // adjacent, read-only
      { start: 0x3000_0000, size: 4 * PAGE_SIZE, pmo: 3, writable: true },
      { start: HIGH, size: 4 * PAGE_SIZE, pmo: 3, writable: true }, // the same PMO mapped twice
      { start: NEAR_KBASE, size: 2 * PAGE_SIZE, pmo: 4, writable: true },
    ],
  };
  return { vmspaces: [null, vmspace], pmos };
}

/** Byte-by-byte reference: the VMR of each byte by a linear scan. */
function refLocate(space: Space, at: number): { page: Uint8Array | null; pmo: PhysicalMemoryObject; index: number; offset: number; writable: boolean } | null {
  if (!(at >= 0 && at < KBASE)) return null;
  for (const vmr of space.vmspaces[1]!.vmrs) {
    if (at >= vmr.start && at < vmr.start + vmr.size) {
      const pmo = space.pmos[vmr.pmo]!;
      const offset = at - vmr.start;
      const index = Math.floor(offset / PAGE_SIZE);
      return { page: pmo.pages[index] ?? null, pmo, index, offset: offset - index * PAGE_SIZE, writable: vmr.writable };
    }
  }
  return null;
}

/** The faulting address, or null. */
function refRead(space: Space, address: number, length: number, out: Uint8Array, outOffset: number): number | null {
  for (let i = 0; i < length; i++) {
    const where = refLocate(space, address + i);
    if (!where) return address + i;
    out[outOffset + i] = where.page ? where.page[where.offset]! : 0;
  }
  return null;
}

function refWrite(space: Space, address: number, data: Uint8Array, dataOffset: number, length: number): { fault: number | null; pmo: number } {
  let pmo = -1;
  for (let i = 0; i < length; i++) {
    const where = refLocate(space, address + i);
    if (!where || !where.writable) return { fault: address + i, pmo };
    let page = where.page;
    if (!page) {
      page = new Uint8Array(PAGE_SIZE);
      where.pmo.pages[where.index] = page;
    }
    page[where.offset] = data[dataOffset + i]!;
    pmo = where.pmo.id;
  }
  return { fault: null, pmo };
}

function pagesText(space: Space): string {
  return JSON.stringify(space.pmos.map((p) => (p ? p.pages.map((page) => (page ? Array.from(page).join(',') : null)) : null)));
}

function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const BASES = [0x1000, 0x4000, 0x5000, 0x3000_0000, HIGH, NEAR_KBASE, KBASE, 0];

function randomRange(next: () => number): { address: number; length: number } {
  const base = BASES[next() % BASES.length]!;
  const shift = (next() % (6 * PAGE_SIZE)) - 2 * PAGE_SIZE;
  const lengths = [0, 1, 4, 8, 24, 32, 63, 64, 65, 200, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 3, 3 * PAGE_SIZE];
  const length = next() % 3 === 0 ? lengths[next() % lengths.length]! : next() % 100;
  // Many ranges close to page and VMR edges.
  const edge = next() % 2 === 0 ? PAGE_SIZE * Math.round(shift / PAGE_SIZE) - (next() % 40) : shift;
  return { address: base + edge, length };
}

describe('user memory copies', () => {
  it('readUser gives the bytes and the faulting address of a byte-by-byte walk', () => {
    const next = prng(12345);
    const space = makeSpace();
    const state = space as unknown as KernelState;
    for (let n = 0; n < 4000; n++) {
      const { address, length } = randomRange(next);
      const outOffset = next() % 16;
      const out = new Uint8Array(length + 32).fill(0xee);
      const expected = new Uint8Array(length + 32).fill(0xee);
      const ok = readUser(state, 1, address, length, out, outOffset);
      const fault = refRead(space, address, length, expected, outOffset);
      expect(ok, `read 0x${address.toString(16)} +${length}`).toBe(fault === null);
      if (ok) expect(Array.from(out)).toEqual(Array.from(expected));
      else expect(lastAccess().faultAddress).toBe(fault);
    }
  });

  it('writeUser writes, allocates pages and faults like a byte-by-byte walk', () => {
    const next = prng(777);
    const fast = makeSpace();
    const ref = makeSpace();
    for (let n = 0; n < 3000; n++) {
      const { address, length } = randomRange(next);
      const data = new Uint8Array(length + 8);
      for (let i = 0; i < data.length; i++) data[i] = next() & 0xff;
      const dataOffset = next() % 8;
      const ok = writeUser(fast as unknown as KernelState, 1, address, data, dataOffset, Math.min(length, data.length - dataOffset));
      const result = refWrite(ref, address, data, dataOffset, Math.min(length, data.length - dataOffset));
      expect(ok, `write 0x${address.toString(16)} +${length}`).toBe(result.fault === null);
      if (!ok) expect(lastAccess().faultAddress).toBe(result.fault);
      else if (result.pmo >= 0) expect(lastAccess().pmo).toBe(result.pmo);
    }
    expect(pagesText(fast)).toBe(pagesText(ref));
  });

  it('integer loads and stores agree with the byte copies at every alignment near edges', () => {
    const space = makeSpace();
    const state = space as unknown as KernelState;
    for (const base of [0x1000, 0x3000_0000, HIGH, NEAR_KBASE]) {
      for (const delta of [-9, -8, -5, -4, -1, 0, 1, 3, PAGE_SIZE - 8, PAGE_SIZE - 5, PAGE_SIZE - 1, 3 * PAGE_SIZE - 4, 2 * PAGE_SIZE - 3, 4 * PAGE_SIZE - 8]) {
        for (const size of [1, 2, 4, 8] as const) {
          const address = base + delta;
          const bytes = new Uint8Array(8);
          const ok = readUser(state, 1, address, size, bytes, 0);
          const v = readUserInt(state, 1, address, size);
          if (!ok) {
            expect(v).toBeNaN();
            continue;
          }
          let low = 0;
          for (let i = Math.min(size, 4) - 1; i >= 0; i--) low = low * 256 + bytes[i]!;
          // An 8-byte value is its signed high word * 2^32 + the unsigned low word.
          const high = size === 8 ? (bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24)) : 0;
          const expected = high * 0x1_0000_0000 + low;
          expect(v, `0x${address.toString(16)} size ${size}`).toBe(expected);
          const value = size === 8 ? 0x1234_5678_9abc : 0x8765_4321 % 2 ** (8 * size);
          expect(writeUserInt(state, 1, address, size, value)).toBe(findVmr(space.vmspaces[1]!, address) >= 0 && space.vmspaces[1]!.vmrs[findVmr(space.vmspaces[1]!, address)]!.writable && refLocate(space, address + size - 1)?.writable === true);
        }
      }
    }
  });
});
