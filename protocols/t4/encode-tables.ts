/**
 * The encoders' run table in one array: RUN_ENTRY[colour * RUN_TABLE_SIZE + run] is the whole
 * run's code (make-up then terminating, RUN_CODE) << 5 | its length in bits (RUN_BITS, <= 25).
 * One typed array read per run instead of two: each costs the optimizing compiler a map check,
 * a bounds check and a base pointer in the loop, and registers are what the loops run short of.
 */
import { RUN_BITS, RUN_CODE } from './tables.ts';

export const RUN_ENTRY = new Int32Array(RUN_CODE.length);
for (let i = 0; i < RUN_ENTRY.length; i++) RUN_ENTRY[i] = ((RUN_CODE[i] ?? 0) << 5) | (RUN_BITS[i] ?? 0);
