/**
 * T.30 facsimile control fields (T.30 5.3.6, Table 5; T.4 Annex A for FCD/RCP), as octet
 * values in HDLC order: the first bit on the line is the least significant bit, so the
 * table's "X100 0001" (DCS) is 0x82 plus X in bit 0. SpanDSP's t30_fcf.h and its logs
 * use the same values.
 *
 * X ("received DIS" bit, T.30 5.3.6.1): set to 1 by the station that received a valid DIS
 * (the caller, normally) in every command and response it sends, 0 by the other. Frames
 * of the DIS group (first bit 0) and the DTC group (first bit 1) have no X bit.
 */
export const FCF_WITHOUT_X = {
  // Initial identification, from the called terminal: first bit always 0.
  DIS: 0x80,
  CSI: 0x40,
  NSF: 0x20,
  // Command to send (polling), from a caller that wants to receive: first bit always 1.
  DTC: 0x81,
  CIG: 0x41,
  NSC: 0x21,
  PWD: 0xc1,
  SEP: 0xa1,
  PSA: 0x61,
  CIA: 0xe1,
  ISP: 0x11,
  // T.4 Annex A information frames of the ECM image phase.
  FCD: 0x06,
  RCP: 0x86,
} as const;

export const FCF_WITH_X = {
  // Command to receive.
  DCS: 0x82,
  TSI: 0x42,
  NSS: 0x22,
  SUB: 0xc2,
  SID: 0xa2,
  CTC: 0x12,
  TSA: 0x62,
  IRA: 0xe2,
  // Pre-message responses.
  CFR: 0x84,
  FTT: 0x44,
  CTR: 0xc4,
  CSA: 0x24,
  // Post-message commands.
  EOM: 0x8e,
  MPS: 0x4e,
  EOP: 0x2e,
  'PRI-EOM': 0x9e,
  'PRI-MPS': 0x5e,
  'PRI-EOP': 0x3e,
  EOS: 0x1e,
  PPS: 0xbe,
  EOR: 0xce,
  RR: 0x6e,
  // Post-message responses.
  MCF: 0x8c,
  RTP: 0xcc,
  RTN: 0x4c,
  PIP: 0xac,
  PIN: 0x2c,
  PPR: 0xbc,
  RNR: 0xec,
  ERR: 0x1c,
  FDM: 0xfc,
  // Other line control.
  DCN: 0xfa,
  CRP: 0x1a,
  FNV: 0xca,
  TNR: 0xea,
  TR: 0x6a,
} as const;

export type FcfName = keyof typeof FCF_WITHOUT_X | keyof typeof FCF_WITH_X;

export const FCF_NAMES: readonly FcfName[] = [
  ...(Object.keys(FCF_WITHOUT_X) as FcfName[]),
  ...(Object.keys(FCF_WITH_X) as FcfName[]),
];

/** PPS and EOR carry a second FCF in their first FIF octet: a post-message command or NULL. */
export const FCF2 = {
  NULL: 0x00,
  EOM: 0x8e,
  MPS: 0x4e,
  EOP: 0x2e,
  'PRI-EOM': 0x9e,
  'PRI-MPS': 0x5e,
  'PRI-EOP': 0x3e,
  EOS: 0x1e,
} as const;
export type Fcf2Name = keyof typeof FCF2;

export function hasXBit(name: FcfName): boolean {
  return name in FCF_WITH_X;
}

/** The FCF octet for `name`, with the X bit when the frame has one. */
export function fcfOctet(name: FcfName, x: boolean): number {
  if (name in FCF_WITHOUT_X) return FCF_WITHOUT_X[name as keyof typeof FCF_WITHOUT_X];
  return FCF_WITH_X[name as keyof typeof FCF_WITH_X] | (x ? 1 : 0);
}

/** Name and X bit of an FCF octet; `undefined` for values T.30 does not define here. */
export function parseFcf(octet: number): { name: FcfName; x: boolean | undefined } | undefined {
  for (const [name, v] of Object.entries(FCF_WITHOUT_X)) if (v === octet) return { name: name as FcfName, x: undefined };
  for (const [name, v] of Object.entries(FCF_WITH_X)) if (v === (octet & 0xfe)) return { name: name as FcfName, x: (octet & 1) === 1 };
  return undefined;
}

export function parseFcf2(octet: number): Fcf2Name | undefined {
  for (const [name, v] of Object.entries(FCF2)) if (v === (octet & 0xfe)) return name as Fcf2Name;
  return undefined;
}
