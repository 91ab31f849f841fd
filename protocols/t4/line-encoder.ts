import type { EncodeOptions } from './types.ts';
import { T4EncodeError } from './types.ts';

/** Streaming encoder: one packed row at a time, bytes drained as they are produced. */
export class LineEncoder {
  constructor(
    readonly width: number,
    readonly opts: EncodeOptions,
  ) {}
  encodeLine(_row: Uint8Array): void {
    throw new T4EncodeError('not implemented yet');
  }
  drain(): Uint8Array {
    return new Uint8Array(0);
  }
  finish(): Uint8Array {
    return new Uint8Array(0);
  }
}
