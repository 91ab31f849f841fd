/**
 * The text grid of S7: how many lines and characters a page holds for each font size.
 *
 * The S7 table is for A4 and is met exactly. Its numbers fit 10 mm margins on all sides
 * (190 x 277 mm of text portrait, 277 x 190 landscape) with a line pitch of about the font's
 * point size, so that is the model: the text area is the page less 10 mm margins, the table
 * fixes the pitch of lines, half-width cells and full-width cells separately (83 half-width
 * or 42 full-width characters at size 3: not exactly 2:1), and other papers keep the A4
 * pitches and fit as many as their text area holds.
 *
 * Mixed lines count in *units*: a half-width character costs `fullColumns` units, a
 * full-width one `halfColumns` units, a line holds `halfColumns * fullColumns` units. So a
 * line holds at most N half-width or M full-width characters, and mixes in proportion.
 */
import { paperSize } from '../raster/geometry.ts';
import type { Orientation, Paper } from '../raster/types.ts';
import type { FontSize } from './types.ts';

export const marginMm = 10;

interface Capacity {
  readonly lines: number;
  readonly half: number;
  readonly full: number;
}

/** S7, A4: lines / half-width / full-width characters per page, index = font size - 1. */
const a4Capacity: Readonly<Record<Orientation, readonly Capacity[]>> = {
  portrait: [
    { lines: 101, half: 133, full: 68 },
    { lines: 75, half: 100, full: 51 },
    { lines: 62, half: 83, full: 42 },
    { lines: 55, half: 73, full: 37 },
    { lines: 41, half: 55, full: 28 },
    { lines: 30, half: 40, full: 20 },
    { lines: 19, half: 26, full: 13 },
  ],
  landscape: [
    { lines: 68, half: 196, full: 100 },
    { lines: 51, half: 147, full: 75 },
    { lines: 42, half: 123, full: 62 },
    { lines: 37, half: 108, full: 55 },
    { lines: 27, half: 81, full: 41 },
    { lines: 20, half: 60, full: 30 },
    { lines: 12, half: 39, full: 20 },
  ],
};

/** S7 point sizes: the top of each range (7-8, 9-10, 11-12, 13-14, 18, 24, 36). */
const pointSizes = [8, 10, 12, 14, 18, 24, 36] as const;
const mmPerPoint = 25.4 / 72;

export interface TextGrid {
  readonly lines: number;
  /** Half-width characters per line. */
  readonly halfColumns: number;
  /** Full-width characters per line. */
  readonly fullColumns: number;
  /** Units per line: halfColumns * fullColumns. */
  readonly lineUnits: number;
  /** The text area, in mm of the laid-out (not rotated) page. */
  readonly leftMm: number;
  readonly topMm: number;
  readonly areaWidthMm: number;
  readonly areaHeightMm: number;
  /** Distance between baselines. */
  readonly linePitchMm: number;
  /** Glyph em size: S7's point size, shrunk when needed so that glyphs never collide. */
  readonly emMm: number;
}

export function textGrid(fontSize: FontSize, paper: Paper, orientation: Orientation): TextGrid {
  const cap = a4Capacity[orientation][fontSize - 1]!;
  const a4 = textArea('A4', orientation);
  const area = textArea(paper, orientation);
  const halfPitch = a4.width / cap.half;
  const fullPitch = a4.width / cap.full;
  const linePitch = a4.height / cap.lines;
  // The epsilon keeps A4's own division exact against float noise.
  const fit = (extent: number, pitch: number): number => Math.floor(extent / pitch + 1e-9);
  const grid = {
    lines: fit(area.height, linePitch),
    halfColumns: fit(area.width, halfPitch),
    fullColumns: fit(area.width, fullPitch),
  };
  return {
    ...grid,
    lineUnits: grid.halfColumns * grid.fullColumns,
    leftMm: marginMm,
    topMm: marginMm,
    areaWidthMm: area.width,
    areaHeightMm: area.height,
    linePitchMm: linePitch,
    emMm: Math.min(pointSizes[fontSize - 1]! * mmPerPoint, linePitch, fullPitch, 2 * halfPitch),
  };
}

function textArea(paper: Paper, orientation: Orientation): { width: number; height: number } {
  const p = paperSize(paper);
  const [w, h] = orientation === 'portrait' ? [p.widthMm, p.heightMm] : [p.heightMm, p.widthMm];
  return { width: w - 2 * marginMm, height: h - 2 * marginMm };
}
