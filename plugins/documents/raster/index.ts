export type { Bitmap, Gray, LayoutSurface, Orientation, PageGeometry, PageSpec, Paper, Quality, Resolution } from './types.ts';
export { orientations, papers, qualities, resolutions } from './types.ts';
export { layoutSurface, pageGeometry, paperSize } from './geometry.ts';
export { errorDiffusion, rotateGrayCcw, threshold, toBilevel, toFaxPage } from './bilevel.ts';
export type { BilevelOptions } from './bilevel.ts';
