/**
 * Rows as lists of changing elements (T.4 4.2.1.3.1): the positions x where pixel x differs
 * from pixel x-1, starting from an imaginary white pixel left of the row. Even indexes start
 * black runs, odd indexes start white runs. Lists are followed by SENTINELS copies of the width
 * so b1/b2 lookups never run off the end.
 */
export const SENTINELS = 3;

/** Room a changes list needs for a row of this width. */
export function changesCapacity(width: number): number {
  // findChanges may see changes in the padding bits of the last byte before dropping them.
  return ((width + 7) & ~7) + SENTINELS + 1;
}

/**
 * Write the changing elements of the packed row at data[off..] into `out`; returns their count.
 * The row is read 32 pixels at a time as a big-endian word v (first pixel in bit 31): bit k of
 * `v ^ (v >>> 1 | previous pixel << 31)` is set where pixel 31-k differs from its left
 * neighbour, so a word of one colour costs one test and a busy word one clz32 per change.
 * `view` is a DataView over data's whole buffer (viewOver), made once per buffer by the caller;
 * its big-endian reads take any alignment.
 */
export function findChanges(data: Uint8Array, off: number, width: number, out: Int32Array, view: DataView): number {
  const rowBytes = (width + 7) >>> 3;
  const fullWords = rowBytes >>> 2;
  let n = 0;
  let prev = 0;
  for (let j = 0, i = data.byteOffset + off; j < fullWords; j++, i += 4) {
    const v = view.getInt32(i);
    // All white after a white pixel, or all black after a black one: no change here.
    if (v === -prev) continue;
    let t = v ^ ((v >>> 1) | (prev << 31));
    prev = v & 1;
    const base = j << 5;
    do {
      const z = Math.clz32(t);
      out[n++] = base + z;
      t ^= 0x80000000 >>> z;
    } while (t !== 0);
  }
  const tailBytes = rowBytes & 3;
  if (tailBytes !== 0) {
    // The last 1..3 bytes as the top of one more word; the zeros below them may add one
    // change at the end of the bytes, dropped below with those in the padding bits.
    let v = 0;
    for (let k = 0, i = off + (fullWords << 2); k < tailBytes; k++, i++) v |= data[i]! << (24 - 8 * k);
    let t = v ^ ((v >>> 1) | (prev << 31));
    const base = fullWords << 5;
    while (t !== 0) {
      const z = Math.clz32(t);
      out[n++] = base + z;
      t ^= 0x80000000 >>> z;
    }
  }
  // Padding bits past the width may hold anything: drop the changes they caused.
  while (n > 0 && out[n - 1]! >= width) n--;
  // SENTINELS copies, and one more: the 2-D encoder's in-step walk (LineEncoder.code2D) may
  // read b2 one past them at the end of a row. changesCapacity leaves room for it.
  out[n] = width;
  out[n + 1] = width;
  out[n + 2] = width;
  out[n + 3] = width;
  return n;
}

/** The `view` argument of findChanges for rows of `data`. */
export function viewOver(data: Uint8Array): DataView {
  return new DataView(data.buffer);
}

/**
 * PREFIX_XOR[t]: the pixels of a byte whose changes are the set bits of t, starting white:
 * bit k = XOR of bits 0..k (MSB first).
 */
const PREFIX_XOR = new Uint8Array(256);
for (let t = 0; t < 256; t++) {
  let v = 0;
  let c = 0;
  for (let k = 7; k >= 0; k--) {
    c ^= (t >>> k) & 1;
    v |= c << k;
  }
  PREFIX_XOR[t] = v;
}

/** Paint the row at data[off..off+rowBytes) from a changes list (bits past the width stay 0). */
export function renderRow(changes: Int32Array, n: number, width: number, data: Uint8Array, off: number): void {
  const rowBytes = (width + 7) >>> 3;
  data.fill(0, off, off + rowBytes);
  if (n * 4 < rowBytes) {
    renderSpans(changes, n, width, data, off);
    return;
  }
  // Busy rows: mark each change, then one prefix-XOR pass over the bytes.
  for (let i = 0; i < n; i++) {
    const c = changes[i]!;
    data[off + (c >>> 3)]! |= 0x80 >>> (c & 7);
  }
  let carry = 0;
  const end = off + rowBytes;
  for (let j = off; j < end; j++) {
    const v = PREFIX_XOR[data[j]!]! ^ carry;
    data[j] = v;
    carry = -(v & 1) & 0xff;
  }
  const tail = width & 7;
  if (tail !== 0) data[end - 1]! &= (0xff00 >>> tail) & 0xff;
}

/** Sparse rows: fill each black span, whole bytes at once. Row must be zeroed. */
function renderSpans(changes: Int32Array, n: number, width: number, data: Uint8Array, off: number): void {
  for (let i = 0; i < n; i += 2) {
    const s = changes[i] ?? width;
    const e = i + 1 < n ? (changes[i + 1] ?? width) : width;
    if (e <= s) continue;
    const sb = off + (s >>> 3);
    const eb = off + ((e - 1) >>> 3);
    const head = 0xff >>> (s & 7);
    const tail = (0xff << (7 - ((e - 1) & 7))) & 0xff;
    if (sb === eb) {
      data[sb] = (data[sb] ?? 0) | (head & tail);
    } else {
      data[sb] = (data[sb] ?? 0) | head;
      if (eb - sb > 16) data.fill(0xff, sb + 1, eb);
      else for (let k = sb + 1; k < eb; k++) data[k] = 0xff;
      data[eb] = tail;
    }
  }
}

/** Uint32Array words hold bytes low-address first on this machine (every current Node target). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * A row buffer that `paintMarkedRow` can paint 32 bits at a time: `row` (rowBytes long, what
 * callers see) and `words` share one buffer padded to whole words.
 */
export interface RowWords {
  readonly row: Uint8Array;
  readonly words: Int32Array;
}

export function rowWordsFor(width: number): RowWords {
  const rowBytes = (width + 7) >>> 3;
  const words = new Int32Array((rowBytes + 3) >>> 2);
  return { row: new Uint8Array(words.buffer, 0, rowBytes), words };
}

/**
 * Decoders may mark changes straight into RowWords.words (bit (x ^ 7) & 31 of word x >> 5
 * toggled per change) and then call paintMarkedRow; only where words are little-endian.
 */
export const WORD_MARKS = LITTLE_ENDIAN;

/** Turn change marks in rw.words (see WORD_MARKS) into the row's pixels. */
export function paintMarkedRow(rw: RowWords, width: number): void {
  const words = rw.words;
  const nWords = words.length;
  let carry = 0;
  for (let j = 0; j < nWords; j++) {
    let x = words[j]!;
    x ^= (x >>> 1) & 0x7f7f7f7f;
    x ^= (x >>> 2) & 0x3f3f3f3f;
    x ^= (x >>> 4) & 0x0f0f0f0f;
    let q = (x & 0x01010101) << 8;
    q ^= q << 8;
    q ^= q << 16;
    x ^= Math.imul(q, 0xff) ^ carry;
    words[j] = x;
    carry = -((x >>> 24) & 1);
  }
  const row = rw.row;
  const tail = width & 7;
  if (tail !== 0) row[row.length - 1]! &= (0xff00 >>> tail) & 0xff;
}
