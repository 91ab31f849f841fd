/**
 * The HDLC frame check sequence T.30 uses (ITU-T V.42 / ISO 3309 "CRC-16 ITU"): generator
 * x^16 + x^12 + x^5 + 1, bits processed least significant first (reflected, polynomial
 * 0x8408), register preset to 0xFFFF, ones' complement sent low octet first. Over T.38 the
 * FCS is not carried (the sender says hdlc-fcs-OK or -BAD instead); this is for the audio
 * path, gateways and checking.
 */
const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** The FCS value (already complemented) of `bytes`. */
export function crc16Itu(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) crc = (crc >>> 8) ^ (TABLE[(crc ^ b) & 0xff] ?? 0);
  return (crc ^ 0xffff) & 0xffff;
}

/** `bytes` followed by their FCS, low octet first as HDLC sends it. */
export function appendFcs(bytes: Uint8Array): Uint8Array {
  const fcs = crc16Itu(bytes);
  const out = new Uint8Array(bytes.length + 2);
  out.set(bytes);
  out[bytes.length] = fcs & 0xff;
  out[bytes.length + 1] = fcs >> 8;
  return out;
}

/** True when the last two octets are the FCS of the ones before. */
export function checkFcs(frameWithFcs: Uint8Array): boolean {
  if (frameWithFcs.length < 3) return false;
  const n = frameWithFcs.length - 2;
  const fcs = crc16Itu(frameWithFcs.subarray(0, n));
  return frameWithFcs[n] === (fcs & 0xff) && frameWithFcs[n + 1] === fcs >> 8;
}
