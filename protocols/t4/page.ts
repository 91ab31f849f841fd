import type { Bitmap } from './bitmap.ts';
import type { DecodeOptions, DecodeResult, EncodeOptions } from './types.ts';
import { T4DecodeError, T4EncodeError } from './types.ts';

export function encodePage(_bitmap: Bitmap, _opts: EncodeOptions): Uint8Array {
  throw new T4EncodeError('not implemented yet');
}

export function decodePage(_data: Uint8Array, _opts: DecodeOptions): DecodeResult {
  throw new T4DecodeError('T4_BAD_OPTIONS', 'not implemented yet');
}
