/**
 * 16-bit sequence and 32-bit timestamp arithmetic with wrap-around (RFC 3550 appendix A.1
 * reasons the same way: a difference is taken modulo 2^16 and read as signed).
 */

/** b - a on the 16-bit circle, in -32768..32767: positive when b is after a. */
export function seqDelta(a: number, b: number): number {
  const d = (b - a) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

/** b - a on the 32-bit timestamp circle, read as signed. */
export function timestampDelta(a: number, b: number): number {
  const d = (b - a) >>> 0;
  return d >= 0x80000000 ? d - 0x100000000 : d;
}
