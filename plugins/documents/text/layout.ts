/**
 * Text to lines and pages on the S7 grid (pure: no fonts, no pixels).
 *
 * - Line ends: CRLF, CR, LF, U+2028/2029. Form feed ends the page (a form feed on a page with
 *   no line yet does nothing, so a leading or doubled form feed makes no blank page).
 * - Tabs advance to the next multiple of 8 half-width columns.
 * - Long lines wrap at the grid's capacity. Latin words wrap at spaces; the spaces at a wrap
 *   are dropped. A word longer than a line is cut.
 * - Kinsoku shori by push-out (oidashi): when the next line would start with a no-start
 *   character (。」ー small kana ...), or the line would end with a no-end one (「（ ...),
 *   the break moves back to the nearest allowed place and the characters after it go down.
 *   Chosen over hanging punctuation (burasage) so no line ever exceeds the grid: the S7
 *   capacities are hard limits.
 * - A text with nothing visible in it lays out to zero pages.
 */
import { isDropped, isFullWidth, isNoEnd, isNoStart, isSpace, isWordChar } from './chars.ts';
import type { TextGrid } from './grid.ts';
import { textGrid } from './grid.ts';
import type { Orientation, Paper } from '../raster/types.ts';
import type { FontSize } from './types.ts';

export interface Cell {
  /** One code point (a tab becomes a space cell as wide as the tab). */
  readonly char: string;
  readonly full: boolean;
  /** Offset and width in line units (see grid.ts). */
  readonly start: number;
  readonly units: number;
}

export interface Line {
  readonly cells: readonly Cell[];
  /** The line's characters, tabs expanded to spaces: for tests and logs. */
  readonly text: string;
}

export interface TextLayout {
  readonly grid: TextGrid;
  readonly pages: readonly (readonly Line[])[];
  /** True when layout stopped at `maxPages + 1` pages: the text is longer than allowed. */
  readonly truncated: boolean;
}

export interface LayoutOptions {
  readonly fontSize: FontSize;
  readonly paper: Paper;
  readonly orientation: Orientation;
  /**
   * Stop once the text needs more than this many pages (a page limit, and a bound on memory
   * for huge inputs): the layout then holds `maxPages + 1` pages and `truncated` is true.
   */
  readonly maxPages?: number;
}

const tabStop = 8;

interface Pending {
  readonly char: string;
  readonly full: boolean;
  readonly units: number;
  readonly tab: boolean;
}

export function layoutText(text: string, options: LayoutOptions): TextLayout {
  const grid = textGrid(options.fontSize, options.paper, options.orientation);
  const halfUnits = grid.fullColumns;
  const fullUnits = grid.halfColumns;
  const pages: Line[][] = [];
  let page: Line[] = [];
  let cur: Pending[] = [];
  let used = 0;
  let visible = false;
  // After a wrap, further spaces would only indent the next line: they are dropped too.
  let wrapped = false;

  const emitLine = (cells: readonly Pending[]): void => {
    page.push(toLine(cells, halfUnits));
    if (page.length === grid.lines) {
      pages.push(page);
      page = [];
    }
  };
  const setCurrent = (cells: Pending[]): void => {
    cur = cells;
    used = cells.reduce((sum, c) => sum + c.units, 0);
  };

  const add = (p: Pending): void => {
    const blank = p.tab || isSpace(p.char);
    if (wrapped && blank && cur.length === 0) return;
    wrapped = false;
    if (used + p.units <= grid.lineUnits) {
      cur.push(p);
      used += p.units;
      return;
    }
    wrapped = true;
    if (blank) {
      // A space or tab at the wrap is swallowed by it.
      emitLine(trimEnd(cur));
      setCurrent([]);
      return;
    }
    const at = breakIndex(cur, p);
    emitLine(trimEnd(cur.slice(0, at)));
    setCurrent(trimStart(cur.slice(at)));
    add(p);
  };

  const addTab = (): void => {
    const column = Math.floor(used / halfUnits);
    const stop = (Math.floor(column / tabStop) + 1) * tabStop * halfUnits;
    add({ char: ' ', full: false, units: Math.max(stop - used, halfUnits), tab: true });
  };

  const normalized = text.normalize('NFC');
  let prevCr = false;
  const limit = options.maxPages ?? Infinity;
  for (const ch of normalized) {
    if (pages.length > limit) break;
    const cp = ch.codePointAt(0)!;
    if (ch === '\n' && prevCr) {
      prevCr = false;
      continue;
    }
    prevCr = ch === '\r';
    if (ch === '\n' || ch === '\r' || cp === 0x2028 || cp === 0x2029) {
      wrapped = false;
      emitLine(cur);
      setCurrent([]);
    } else if (ch === '\f') {
      wrapped = false;
      if (cur.length > 0) emitLine(cur);
      setCurrent([]);
      if (page.length > 0) {
        pages.push(page);
        page = [];
      }
    } else if (ch === '\t') {
      addTab();
    } else if (!isDropped(cp)) {
      const full = isFullWidth(cp);
      if (!isSpace(ch)) visible = true;
      add({ char: ch, full, units: full ? fullUnits : halfUnits, tab: false });
    }
  }
  const truncated = pages.length > limit;
  if (!truncated) {
    if (cur.length > 0) emitLine(cur);
    if (page.length > 0) pages.push(page);
  }
  return { grid, pages: visible ? pages.slice(0, limit + 1) : [], truncated };
}

/**
 * Where the next line starts when `next` does not fit after `line`: the last place (an
 * index in `line`, >= 1) where a break is allowed; the end of the line when none is.
 */
function breakIndex(line: readonly Pending[], next: Pending): number {
  for (let at = line.length; at >= 1; at--) {
    const before = line[at - 1]!;
    const after = at < line.length ? line[at]! : next;
    if (canBreak(before, after)) return at;
  }
  return line.length;
}

function canBreak(before: Pending, after: Pending): boolean {
  if (isNoStart(after.char) || isNoEnd(before.char)) return false;
  if (before.tab || after.tab || isSpace(before.char) || isSpace(after.char)) return true;
  return !(isWordChar(before.char, before.full) && isWordChar(after.char, after.full));
}

function trimEnd(cells: readonly Pending[]): Pending[] {
  let end = cells.length;
  while (end > 0 && (cells[end - 1]!.tab || isSpace(cells[end - 1]!.char))) end--;
  return cells.slice(0, end);
}

function trimStart(cells: readonly Pending[]): Pending[] {
  let start = 0;
  while (start < cells.length && (cells[start]!.tab || isSpace(cells[start]!.char))) start++;
  return cells.slice(start);
}

function toLine(pending: readonly Pending[], halfUnits: number): Line {
  const cells: Cell[] = [];
  let start = 0;
  let text = '';
  for (const p of pending) {
    cells.push({ char: p.char, full: p.full, start, units: p.units });
    start += p.units;
    text += p.tab ? ' '.repeat(Math.max(1, Math.round(p.units / halfUnits))) : p.char;
  }
  return { cells, text };
}
