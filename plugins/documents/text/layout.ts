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
  const run = new LayoutRun(text, options);
  run.step(Infinity);
  return run.result();
}

/**
 * layoutText a slice at a time, giving the event loop a turn whenever a slice has run
 * `sliceMs`: a long text (thousands of lines, tens of milliseconds to lay out) must not hold
 * up the calls and requests the same thread serves.
 */
export async function layoutTextInSlices(text: string, options: LayoutOptions, sliceMs = 8): Promise<TextLayout> {
  const run = new LayoutRun(text, options);
  let sliceStart = performance.now();
  while (!run.step(2048)) {
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  return run.result();
}

/** One layout in progress: `step` takes the next characters, `result` closes the last page. */
class LayoutRun {
  private readonly grid: TextGrid;
  private readonly halfUnits: number;
  private readonly fullUnits: number;
  private readonly text: string;
  private readonly limit: number;
  /** Index in `text` of the next character. */
  private at = 0;
  private readonly pages: Line[][] = [];
  private page: Line[] = [];
  private cur: Pending[] = [];
  private used = 0;
  private visible = false;
  // After a wrap, further spaces would only indent the next line: they are dropped too.
  private wrapped = false;
  private prevCr = false;

  constructor(text: string, options: LayoutOptions) {
    this.grid = textGrid(options.fontSize, options.paper, options.orientation);
    this.halfUnits = this.grid.fullColumns;
    this.fullUnits = this.grid.halfColumns;
    this.text = text.normalize('NFC');
    this.limit = options.maxPages ?? Infinity;
  }

  /** Lays out up to `count` more code points; true when the text is done (or over the page limit). */
  step(count: number): boolean {
    const text = this.text;
    for (let n = 0; n < count; n++) {
      if (this.at >= text.length || this.pages.length > this.limit) return true;
      const cp = text.codePointAt(this.at)!;
      const ch = cp > 0xffff ? text.slice(this.at, this.at + 2) : text[this.at]!;
      this.at += ch.length;
      this.take(ch, cp);
    }
    return this.at >= text.length || this.pages.length > this.limit;
  }

  result(): TextLayout {
    const truncated = this.pages.length > this.limit;
    if (!truncated) {
      if (this.cur.length > 0) this.emitLine(this.cur);
      if (this.page.length > 0) this.pages.push(this.page);
      this.page = [];
      this.cur = [];
    }
    return { grid: this.grid, pages: this.visible ? this.pages.slice(0, this.limit + 1) : [], truncated };
  }

  private take(ch: string, cp: number): void {
    if (ch === '\n' && this.prevCr) {
      this.prevCr = false;
      return;
    }
    this.prevCr = ch === '\r';
    if (ch === '\n' || ch === '\r' || cp === 0x2028 || cp === 0x2029) {
      this.wrapped = false;
      this.emitLine(this.cur);
      this.setCurrent([]);
    } else if (ch === '\f') {
      this.wrapped = false;
      if (this.cur.length > 0) this.emitLine(this.cur);
      this.setCurrent([]);
      if (this.page.length > 0) {
        this.pages.push(this.page);
        this.page = [];
      }
    } else if (ch === '\t') {
      this.addTab();
    } else if (!isDropped(cp)) {
      const full = isFullWidth(cp);
      if (!isSpace(ch)) this.visible = true;
      this.add({ char: ch, full, units: full ? this.fullUnits : this.halfUnits, tab: false });
    }
  }

  private emitLine(cells: readonly Pending[]): void {
    this.page.push(toLine(cells, this.halfUnits));
    if (this.page.length === this.grid.lines) {
      this.pages.push(this.page);
      this.page = [];
    }
  }

  private setCurrent(cells: Pending[]): void {
    this.cur = cells;
    this.used = cells.reduce((sum, c) => sum + c.units, 0);
  }

  private add(p: Pending): void {
    const blank = p.tab || isSpace(p.char);
    if (this.wrapped && blank && this.cur.length === 0) return;
    this.wrapped = false;
    if (this.used + p.units <= this.grid.lineUnits) {
      this.cur.push(p);
      this.used += p.units;
      return;
    }
    this.wrapped = true;
    if (blank) {
      // A space or tab at the wrap is swallowed by it.
      this.emitLine(trimEnd(this.cur));
      this.setCurrent([]);
      return;
    }
    const at = breakIndex(this.cur, p);
    this.emitLine(trimEnd(this.cur.slice(0, at)));
    this.setCurrent(trimStart(this.cur.slice(at)));
    this.add(p);
  }

  private addTab(): void {
    const column = Math.floor(this.used / this.halfUnits);
    const stop = (Math.floor(column / tabStop) + 1) * tabStop * this.halfUnits;
    this.add({ char: ' ', full: false, units: Math.max(stop - this.used, this.halfUnits), tab: true });
  }
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
