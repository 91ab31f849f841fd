export { formatHeader, defaultTimeZone } from './format.ts';
export { drawHeader, headerStripMm, headerEmMm } from './draw.ts';
export type { DrawHeaderOptions, HeaderValues } from './types.ts';
