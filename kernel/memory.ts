// Emulated physical memory and address spaces: PMOs with lazily allocated pages, vmspaces with
// sorted VMRs, and byte-exact reads and writes through a mapping.

import { KBASE, PAGE_SIZE } from './constants';
import type { KernelState, PhysicalMemoryObject, VmSpace } from './state';

export function roundUpToPage(size: number): number {
  return Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
}

export function roundDownToPage(address: number): number {
  return Math.floor(address / PAGE_SIZE) * PAGE_SIZE;
}

/** Index of the VMR containing `address`, or -1 (binary search over the sorted VMRs). */
export function findVmr(vmspace: VmSpace, address: number): number {
  const vmrs = vmspace.vmrs;
  let low = 0;
  let high = vmrs.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const vmr = vmrs[mid]!;
    if (address < vmr.start) high = mid - 1;
    else if (address >= vmr.start + vmr.size) low = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * `map_pmo_in_current_cap_group` after the capability check: 0, or -EINVAL when the range
 * reaches KBASE or overlaps an existing VMR. The VA is rounded down to a page.
 */
export function mapPmo(vmspace: VmSpace, pmo: PhysicalMemoryObject, address: number, writable: boolean): number {
  const start = roundDownToPage(address);
  const size = pmo.size;
  if (!(address + size < KBASE) || !(address >= 0)) return -22;
  const vmrs = vmspace.vmrs;
  let insertAt = vmrs.length;
  for (let i = 0; i < vmrs.length; i++) {
    const vmr = vmrs[i]!;
    if (start < vmr.start + vmr.size && vmr.start < start + size) return -22;
    if (vmr.start > start && insertAt === vmrs.length) insertAt = i;
  }
  vmrs.splice(insertAt, 0, { start, size, pmo: pmo.id, writable });
  return 0;
}

/** Removes the VMR of `pmo` at `address`; 0 or -EINVAL. */
export function unmapPmo(vmspace: VmSpace, pmoId: number, address: number): number {
  const start = roundDownToPage(address);
  const vmrs = vmspace.vmrs;
  for (let i = 0; i < vmrs.length; i++) {
    const vmr = vmrs[i]!;
    if (vmr.start === start && vmr.pmo === pmoId) {
      vmrs.splice(i, 1);
      return 0;
    }
  }
  return -22;
}

/** Outcome of the last access: the faulting address when one failed. */
export interface AccessResult {
  faultAddress: number;
  /** PMO written by the last successful write (for events). */
  pmo: number;
}

const scratch: AccessResult = { faultAddress: -1, pmo: 0 };

/** Offsets inside a VMR below this are small integers (the fast paths index with int32s). */
const SMALL_OFFSET = 0x4000_0000;
const PAGE_MASK = PAGE_SIZE - 1;
const PAGE_SHIFT = Math.log2(PAGE_SIZE) | 0;

function pageOf(pmo: PhysicalMemoryObject, page: number, allocate: boolean): Uint8Array | null {
  let bytes = pmo.pages[page] ?? null;
  if (bytes === null && allocate) {
    bytes = new Uint8Array(PAGE_SIZE);
    pmo.pages[page] = bytes;
  }
  return bytes;
}

/**
 * Copies `n` bytes (int32 offsets, both ranges in bounds): small copies by hand, four bytes a
 * turn (cheaper than a subarray), larger ones with `set`. Shared by the read and write fast paths.
 */
function copyBytes(to: Uint8Array, toOffset: number, from: Uint8Array, fromOffset: number, n: number): void {
  if (n <= 64) {
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      to[toOffset + i] = from[fromOffset + i]!;
      to[toOffset + i + 1] = from[fromOffset + i + 1]!;
      to[toOffset + i + 2] = from[fromOffset + i + 2]!;
      to[toOffset + i + 3] = from[fromOffset + i + 3]!;
    }
    for (; i < n; i++) to[toOffset + i] = from[fromOffset + i]!;
  } else to.set(from.subarray(fromOffset, fromOffset + n), toOffset);
}

/**
 * Copies `length` bytes from user `address` into `out` at `outOffset`. Returns false on a fault
 * (unmapped byte, or beyond KBASE); `lastAccess().faultAddress` names the first bad address.
 */
export function readUser(state: KernelState, vmspaceId: number, address: number, length: number, out: Uint8Array, outOffset: number): boolean {
  const vmspace = state.vmspaces[vmspaceId]!;
  // Fast path: the whole range inside one page of one VMR (the common small copy): one lookup,
  // no chunking.
  // Addresses can exceed 2^31 (doubles), so the offset inside the VMR is brought to a small
  // integer first and the copy loop indexes with int32s only.
  if (address >= 0 && address + length <= KBASE && length > 0 && length <= PAGE_SIZE) {
    const index = findVmr(vmspace, address);
    if (index >= 0) {
      const vmr = vmspace.vmrs[index]!;
      const offset = address - vmr.start;
      if (offset < SMALL_OFFSET && offset + length <= vmr.size) {
        const off = offset | 0;
        const inPage = off & PAGE_MASK;
        const n = length | 0;
        if (inPage + n <= PAGE_SIZE) {
          const bytes = state.pmos[vmr.pmo]!.pages[off >>> PAGE_SHIFT] ?? null;
          const to = outOffset | 0;
          if (bytes === null) out.fill(0, to, to + n);
          else copyBytes(out, to, bytes, inPage, n);
          return true;
        }
      }
    }
  }
  let done = 0;
  while (done < length) {
    const at = address + done;
    const index = at >= 0 && at < KBASE ? findVmr(vmspace, at) : -1;
    if (index < 0) {
      scratch.faultAddress = at;
      return false;
    }
    const vmr = vmspace.vmrs[index]!;
    const pmo = state.pmos[vmr.pmo]!;
    const offset = at - vmr.start;
    const page = Math.floor(offset / PAGE_SIZE);
    const inPage = offset - page * PAGE_SIZE;
    const chunk = Math.min(length - done, PAGE_SIZE - inPage, vmr.start + vmr.size - at);
    const bytes = pageOf(pmo, page, false);
    const to = outOffset + done;
    if (bytes === null) out.fill(0, to, to + chunk);
    else if (chunk <= 64) for (let i = 0; i < chunk; i++) out[to + i] = bytes[inPage + i]!;
    else out.set(bytes.subarray(inPage, inPage + chunk), to);
    done += chunk;
  }
  return true;
}

/** Writes bytes through the mapping; false on a fault (unmapped or read-only). */
export function writeUser(state: KernelState, vmspaceId: number, address: number, data: Uint8Array, dataOffset: number, length: number): boolean {
  const vmspace = state.vmspaces[vmspaceId]!;
  // Fast path: the whole range inside one page of one writable VMR.
  if (address >= 0 && address + length <= KBASE && length > 0 && length <= PAGE_SIZE) {
    const index = findVmr(vmspace, address);
    if (index >= 0) {
      const vmr = vmspace.vmrs[index]!;
      const offset = address - vmr.start;
      if (vmr.writable && offset < SMALL_OFFSET && offset + length <= vmr.size) {
        const off = offset | 0;
        const inPage = off & PAGE_MASK;
        const n = length | 0;
        if (inPage + n <= PAGE_SIZE) {
          const pmo = state.pmos[vmr.pmo]!;
          scratch.pmo = pmo.id;
          const page = off >>> PAGE_SHIFT;
          let bytes = pmo.pages[page] ?? null;
          if (bytes === null) {
            bytes = new Uint8Array(PAGE_SIZE);
            pmo.pages[page] = bytes;
          }
          copyBytes(bytes, inPage, data, dataOffset | 0, n);
          return true;
        }
      }
    }
  }
  let done = 0;
  while (done < length) {
    const at = address + done;
    const index = at >= 0 && at < KBASE ? findVmr(vmspace, at) : -1;
    if (index < 0 || !vmspace.vmrs[index]!.writable) {
      scratch.faultAddress = at;
      return false;
    }
    const vmr = vmspace.vmrs[index]!;
    const pmo = state.pmos[vmr.pmo]!;
    scratch.pmo = pmo.id;
    const offset = at - vmr.start;
    const page = Math.floor(offset / PAGE_SIZE);
    const inPage = offset - page * PAGE_SIZE;
    const chunk = Math.min(length - done, PAGE_SIZE - inPage, vmr.start + vmr.size - at);
    const bytes = pageOf(pmo, page, true)!;
    const from = dataOffset + done;
    if (chunk <= 64) for (let i = 0; i < chunk; i++) bytes[inPage + i] = data[from + i]!;
    else bytes.set(data.subarray(from, from + chunk), inPage);
    done += chunk;
  }
  return true;
}

export function lastAccess(): AccessResult {
  return scratch;
}

// Little-endian helpers over a small shared buffer (integers up to 2^53 are exact).
const word = new Uint8Array(8);
const wordView = new DataView(word.buffer);

/** Reads an unsigned little-endian integer of `size` bytes; NaN on a fault. */
export function readUserInt(state: KernelState, vmspaceId: number, address: number, size: 1 | 2 | 4 | 8): number {
  // Fast path: the whole value inside one page of one VMR.
  const vmspace = state.vmspaces[vmspaceId]!;
  const index = address >= 0 && address < KBASE ? findVmr(vmspace, address) : -1;
  if (index >= 0) {
    const vmr = vmspace.vmrs[index]!;
    const offset = address - vmr.start;
    const off = offset | 0;
    const inPage = off & PAGE_MASK;
    if (offset < SMALL_OFFSET && inPage + size <= PAGE_SIZE && offset + size <= vmr.size) {
      const bytes = state.pmos[vmr.pmo]!.pages[off >>> PAGE_SHIFT] ?? null;
      if (bytes === null) return 0;
      const low = bytes[inPage]! | (size > 1 ? bytes[inPage + 1]! << 8 : 0);
      if (size <= 2) return low;
      const v32 = (low | (bytes[inPage + 2]! << 16)) + bytes[inPage + 3]! * 0x100_0000;
      if (size === 4) return v32;
      const high = bytes[inPage + 4]! | (bytes[inPage + 5]! << 8) | (bytes[inPage + 6]! << 16) | (bytes[inPage + 7]! << 24);
      return high * 0x1_0000_0000 + v32;
    }
  }
  if (!readUser(state, vmspaceId, address, size, word, 0)) return Number.NaN;
  switch (size) {
    case 1:
      return word[0]!;
    case 2:
      return wordView.getUint16(0, true);
    case 4:
      return wordView.getUint32(0, true);
    default: {
      const low = wordView.getUint32(0, true);
      const high = wordView.getInt32(4, true);
      return high * 0x1_0000_0000 + low;
    }
  }
}

/** Writes a little-endian integer of `size` bytes (two's complement for negatives). */
export function writeUserInt(state: KernelState, vmspaceId: number, address: number, size: 1 | 2 | 4 | 8, value: number): boolean {
  encodeInt(wordView, 0, size, value);
  return writeUser(state, vmspaceId, address, word, 0, size);
}

export function encodeInt(view: DataView, offset: number, size: number, value: number): void {
  switch (size) {
    case 1:
      view.setUint8(offset, value & 0xff);
      return;
    case 2:
      view.setUint16(offset, value & 0xffff, true);
      return;
    case 4:
      view.setUint32(offset, value >>> 0, true);
      return;
    default: {
      const high = Math.floor(value / 0x1_0000_0000);
      const low = value - high * 0x1_0000_0000;
      view.setUint32(offset, low >>> 0, true);
      view.setUint32(offset + 4, high >>> 0, true);
    }
  }
}
