export { formatHeader, defaultTimeZone } from './format.ts';
export { drawHeader, drawHeaderStrip, headerStripMm, headerEmMm } from './draw.ts';
export type { DrawHeaderOptions, HeaderValues } from './types.ts';
