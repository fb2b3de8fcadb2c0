// The emulated Cortex-M MPU of a Tock board (Tock release-2.1 `arch/cortex-m/src/mpu.rs`,
// `allocate_region`, as `ProcessStandard::add_mpu_region` uses it), and the check of a Tock
// process's user memory accesses against its memory and its MPU regions.
//
// Hardware rules: a region is a power of two of at least 32 bytes, aligned to its size; a region
// of 256 bytes or more has 8 equal subregions that can be enabled one by one; a process has at
// most `mpuLimit` regions beyond its own RAM and flash regions.

import { MPU_MIN_REGION_SIZE, MPU_MIN_SUBREGION_REGION_SIZE, type TockMpuRegion, type TockProcess } from './types';

export type MpuAllocation =
  | { readonly ok: true; readonly region: TockMpuRegion }
  | { readonly ok: false; readonly reason: string };

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** Number of trailing zero bits of a u32 (32 for 0). */
function trailingZeros(value: number): number {
  if (value === 0) return 32;
  let n = 0;
  while (value % 2 === 0) {
    value /= 2;
    n++;
  }
  return n;
}

/** Tock's `math::closest_power_of_two`: the smallest power of two >= value (u32). */
function closestPowerOfTwo(value: number): number {
  let p = 1;
  while (p < value) p *= 2;
  return p;
}

/**
 * `add_mpu_region(start, size, min_region_size)` on `process`: `allocate_region` in the order of
 * its checks (overlap, a free region, the Cortex-M geometry, the fit inside the given memory),
 * then the process's region table. Never throws; the failure names the rule that was broken.
 */
export function allocateMpuRegion(
  process: TockProcess,
  memoryStart: number,
  memorySize: number,
  minRegionSize: number,
  ownerGroup: number,
  ownerName: string,
): MpuAllocation {
  const buffer = `${memorySize} bytes at ${hex(memoryStart)}`;
  if (memoryStart + memorySize > 0x1_0000_0000 || memoryStart < 0) {
    return { ok: false, reason: `${buffer}: outside the 32-bit address space of a Cortex-M` };
  }
  // Check that no previously allocated region overlaps the memory.
  for (let i = 0; i < process.mpuRegions.length; i++) {
    const r = process.mpuRegions[i]!;
    if (memoryStart < r.regionStart + r.regionSize && r.regionStart < memoryStart + memorySize) {
      return { ok: false, reason: `${buffer} overlaps MPU region #${i} [${hex(r.regionStart)}, ${hex(r.regionStart + r.regionSize)})` };
    }
  }
  if (process.mpuRegions.length >= process.mpuLimit) {
    return { ok: false, reason: `${buffer}: all ${process.mpuLimit} MPU regions of ${process.name} are in use` };
  }
  let start = memoryStart;
  let size = minRegionSize;
  // The region start is aligned up to the minimum region size, and regions are at least 32 bytes.
  if (start % MPU_MIN_REGION_SIZE !== 0) start += MPU_MIN_REGION_SIZE - (start % MPU_MIN_REGION_SIZE);
  if (size < MPU_MIN_REGION_SIZE) size = MPU_MIN_REGION_SIZE;
  let regionStart = start;
  let regionSize = size;
  let subregions: number[] | null = null;
  let how = '';
  const powerOfTwo = (size & (size - 1)) === 0 && size > 0;
  if (!powerOfTwo || start % size !== 0) {
    // Try a larger region with only some of its 8 subregions enabled.
    const subregionSize = start !== 0 ? 2 ** trailingZeros(start) : Math.max(MPU_MIN_SUBREGION_REGION_SIZE, closestPowerOfTwo(size)) / 8;
    const underlyingSize = subregionSize * 8;
    const underlyingStart = start - (start % underlyingSize);
    if (size % subregionSize !== 0) size += subregionSize - (size % subregionSize);
    const end = start + size;
    if (subregionSize >= MPU_MIN_REGION_SIZE && underlyingSize >= MPU_MIN_SUBREGION_REGION_SIZE && end <= underlyingStart + underlyingSize) {
      const first = (start - underlyingStart) / subregionSize;
      subregions = [first, first + size / subregionSize - 1];
      regionStart = underlyingStart;
      regionSize = underlyingSize;
    } else {
      // No subregion layout fits: round the size up to a power of two and move the start up to
      // the next multiple of it.
      size = closestPowerOfTwo(size);
      start += size - (start % size);
      regionStart = start;
      regionSize = size;
      how = `; subregions cannot cover it, so the region was rounded to ${size} bytes at ${hex(start)}`;
    }
  }
  // The logical region must fit inside the memory it was asked to cover.
  if (start + size > memoryStart + memorySize) {
    const rule =
      memorySize < MPU_MIN_REGION_SIZE
        ? `a region is at least ${MPU_MIN_REGION_SIZE} bytes`
        : 'a region is a power of two >= 32 bytes aligned to its size (or a run of its 8 subregions)';
    return {
      ok: false,
      reason: `${buffer}: ${rule}, and the smallest region the MPU can build for it, ${size} bytes at ${hex(start)}, does not fit in the buffer${how}`,
    };
  }
  return {
    ok: true,
    region: { start, size, regionStart, regionSize, subregions, ownerGroup, ownerName, writable: true },
  };
}

/** A readable description of a region. */
export function describeRegion(r: TockMpuRegion): string {
  const sub = r.subregions ? ` (region ${r.regionSize} bytes at ${hex(r.regionStart)}, subregions ${r.subregions[0]}-${r.subregions[1]})` : '';
  return `[${hex(r.start)}, ${hex(r.start + r.size)}) ${r.writable ? 'rw' : 'r'} over ${r.ownerName}'s memory${sub}`;
}
