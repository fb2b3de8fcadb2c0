// How the debugger writes values: numbers with their error name or hex form, records by label.

import { describeChCoreResult } from '../kernel/constants';
import type { Value } from './expression';

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value < 0) {
    const name = describeChCoreResult(value);
    return name !== String(value) ? `${value} (${name})` : String(value);
  }
  if (value >= 0x10000 && Number.isInteger(value)) return `${value} (0x${value.toString(16)})`;
  return String(value);
}

export function formatValue(value: Value): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return JSON.stringify(value);
  return value.label;
}
