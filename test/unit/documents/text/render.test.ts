import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { bitmapsEqual, getPixel } from '../../../../protocols/t4/bitmap.ts';
import type { Bitmap } from '../../../../protocols/t4/bitmap.ts';
import { pageGeometry } from '../../../../plugins/documents/raster/geometry.ts';
import { papers } from '../../../../plugins/documents/raster/types.ts';
import type { Orientation, Paper, Resolution } from '../../../../plugins/documents/raster/types.ts';
import { fontTypes, resolveFont } from '../../../../plugins/documents/text/fonts.ts';
import { textGrid } from '../../../../plugins/documents/text/grid.ts';
import { GlyphCache } from '../../../../plugins/documents/text/glyphs.ts';
import { renderText } from '../../../../plugins/documents/text/render.ts';
import { TextRenderError } from '../../../../plugins/documents/text/errors.ts';
import type { FontSize, TextRenderOptions } from '../../../../plugins/documents/text/types.ts';

const base: TextRenderOptions = {
  defaultCharset: 'utf-8',
  fontSize: 3,
  fontType: 'MS Gothic',
  paper: 'A4',
  orientation: 'portrait',
  resolution: 'fine',
  quality: 'mono',
};

async function render(text: string, options: Partial<TextRenderOptions> = {}): Promise<Bitmap[]> {
  const pages: Bitmap[] = [];
  for await (const p of renderText(new Uint8Array(Buffer.from(text, 'utf8')), { ...base, ...options })) pages.push(p);
  return pages;
}

async function onePage(text: string, options: Partial<TextRenderOptions> = {}): Promise<Bitmap> {
  const pages = await render(text, options);
  assert.equal(pages.length, 1);
  return pages[0]!;
}

interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  count: number;
}

function inkBox(b: Bitmap): Box {
  const box = { minX: Infinity, minY: Infinity, maxX: -1, maxY: -1, count: 0 };
  for (let y = 0; y < b.height; y++) {
    for (let x = 0; x < b.width; x++) {
      if (getPixel(b, x, y) === 1) {
        box.count++;
        box.minX = Math.min(box.minX, x);
        box.maxX = Math.max(box.maxX, x);
        box.minY = Math.min(box.minY, y);
        box.maxY = Math.max(box.maxY, y);
      }
    }
  }
  return box;
}

/** Runs of black pixels along row y: one per glyph when glyphs are solid and apart. */
function runsOnRow(b: Bitmap, y: number): number {
  let runs = 0;
  for (let x = 0; x < b.width; x++) if (getPixel(b, x, y) === 1 && (x === 0 || getPixel(b, x - 1, y) === 0)) runs++;
  return runs;
}

describe('renderText page sizes', () => {
  for (const paper of papers) {
    for (const resolution of ['standard', 'fine'] as const) {
      it(`${paper} ${resolution}: portrait and landscape give the portrait fax page`, async () => {
        for (const orientation of ['portrait', 'landscape'] as const) {
          const page = await onePage('サイズ size', { paper, resolution, orientation });
          const g = pageGeometry({ paper, resolution, orientation });
          assert.deepEqual([page.width, page.height], [g.widthPx, g.heightPx]);
          assert.ok(inkBox(page).count > 50);
        }
      });
    }
  }
});

describe('renderText places every character in its grid cell', () => {
  for (const [fontSize, orientation] of [[1, 'portrait'], [3, 'portrait'], [7, 'portrait'], [3, 'landscape']] as const) {
    it(`size ${fontSize} ${orientation}: a full line of N half-width or M full-width characters shows N or M glyphs`, async () => {
      const grid = textGrid(fontSize, 'A4', orientation);
      // Solid glyphs, apart from each other: each crossing of a row through them is one run.
      const half = await onePage('I'.repeat(grid.halfColumns), { fontSize, orientation });
      const full = await onePage('■'.repeat(grid.fullColumns), { fontSize, orientation });
      for (const [page, n] of [[half, grid.halfColumns], [full, grid.fullColumns]] as const) {
        const box = inkBox(page);
        if (orientation === 'portrait') {
          assert.equal(runsOnRow(page, Math.round((box.minY + box.maxY) / 2)), n);
        } else {
          // Landscape lines run up the portrait page: count along a column.
          const x = Math.round((box.minX + box.maxX) / 2);
          let runs = 0;
          for (let y = 0; y < page.height; y++) if (getPixel(page, x, y) === 1 && (y === 0 || getPixel(page, x, y - 1) === 0)) runs++;
          assert.equal(runs, n);
        }
      }
    });
  }

  it('starts at the 10 mm margins and stays inside them (A4 portrait, fine)', async () => {
    const g = pageGeometry({ paper: 'A4', orientation: 'portrait', resolution: 'fine' });
    const grid = textGrid(3, 'A4', 'portrait');
    const lines = Array.from({ length: grid.lines }, () => '■'.repeat(grid.fullColumns)).join('\n');
    const box = inkBox(await onePage(lines));
    const margins = {
      left: box.minX / g.pxPerMmX,
      right: (g.widthPx - 1 - box.maxX) / g.pxPerMmX,
      top: box.minY / g.pxPerMmY,
      bottom: (g.heightPx - 1 - box.maxY) / g.pxPerMmY,
    };
    // Inside the text area, and filling it but for the slack a glyph leaves in its cell.
    for (const [side, m] of Object.entries(margins)) assert.ok(m >= 9.8 && m < 10 + grid.emMm * 0.3, `${side} ${m} mm`);
    // Glyphs are centred in their cells, so the line is centred in the area.
    assert.ok(Math.abs(margins.left - margins.right) < 0.3, JSON.stringify(margins));
  });

  it('turns landscape text so its first line runs up the left edge of the page', async () => {
    const page = await onePage('■■■ first line', { orientation: 'landscape' });
    const g = pageGeometry({ paper: 'A4', orientation: 'landscape', resolution: 'fine' });
    const box = inkBox(page);
    const grid = textGrid(3, 'A4', 'landscape');
    // The line's top is at the 10 mm top margin of the landscape surface = the page's left.
    assert.ok(Math.abs(box.minX / g.pxPerMmX - 10) < 1, `left ${box.minX / g.pxPerMmX} mm`);
    assert.ok(box.maxX / g.pxPerMmX < 10 + grid.linePitchMm);
    // It starts at the surface's left margin = the page's bottom.
    assert.ok(Math.abs((g.heightPx - 1 - box.maxY) / g.pxPerMmY - 10) < 1);
  });

  it('draws standard resolution at half the rows with the same shapes on paper', async () => {
    const text = '漢字かなカナ ABC xyz 123';
    const fine = inkBox(await onePage(text, { resolution: 'fine' }));
    const std = inkBox(await onePage(text, { resolution: 'standard' }));
    assert.ok(Math.abs(std.minX - fine.minX) <= 2 && Math.abs(std.maxX - fine.maxX) <= 2);
    const fineRows = fine.maxY - fine.minY + 1;
    const stdRows = std.maxY - std.minY + 1;
    assert.ok(Math.abs(stdRows * 2 - fineRows) <= 3, `fine ${fineRows} rows, standard ${stdRows}`);
  });

  it('gets larger glyphs for larger font sizes', async () => {
    const heights: number[] = [];
    for (const fontSize of [1, 2, 3, 4, 5, 6, 7] as const) {
      const box = inkBox(await onePage('■', { fontSize }));
      heights.push(box.maxY - box.minY + 1);
    }
    for (let i = 1; i < heights.length; i++) assert.ok(heights[i]! > heights[i - 1]!, `heights ${heights.join(' ')}`);
  });

  it('makes one page per grid-full of lines and per form feed', async () => {
    const grid = textGrid(7, 'A4', 'portrait');
    const text = `${Array.from({ length: grid.lines + 1 }, (_, i) => `line ${i}`).join('\n')}\fnext`;
    const pages = await render(text, { fontSize: 7 });
    assert.equal(pages.length, 3);
    assert.deepEqual(await render('   \n'), []);
  });
});

describe('fonts', () => {
  it('maps every S7 font type to fonts installed here', () => {
    const installed = execFileSync('fc-list', [':', 'family'], { encoding: 'utf8' });
    for (const name of fontTypes) {
      for (const family of resolveFont(name).families) assert.ok(installed.includes(family), `${name}: ${family} not installed`);
    }
    assert.deepEqual(resolveFont('ＭＳ ゴシック').fontType, 'MS Gothic');
    assert.deepEqual(resolveFont('ms-mincho').fontType, 'MS Mincho');
    assert.deepEqual(resolveFont('times new roman').families[0], 'Liberation Serif');
  });

  it('refuses an unknown font type, listing the known ones', async () => {
    await assert.rejects(
      render('x', { fontType: 'Comic Sans' }),
      (e: unknown) => e instanceof TextRenderError && e.code === 'TEXT_FONT_UNKNOWN' && /Comic Sans/.test(e.message) && /MS Gothic \| MS PGothic/.test(e.message),
    );
  });

  it('draws different faces differently, and falls back to a Japanese face for kanji', async () => {
    const latin = 'Regular text 123';
    const gothic = await onePage(latin, { fontType: 'MS Gothic' });
    const mincho = await onePage(latin, { fontType: 'MS Mincho' });
    const arial = await onePage(latin, { fontType: 'Arial' });
    const courier = await onePage(latin, { fontType: 'Courier New' });
    assert.ok(!bitmapsEqual(gothic, mincho) && !bitmapsEqual(gothic, arial) && !bitmapsEqual(arial, courier));
    // Arial has no kanji: they come from IPA Gothic, pixel for pixel the same as MS Gothic's.
    assert.ok(bitmapsEqual(await onePage('漢字', { fontType: 'Arial' }), await onePage('漢字', { fontType: 'MS Gothic' })));
  });
});

describe('renderText speed', () => {
  it('renders a dense 10-page Japanese and English document well under a second a page', async () => {
    const para =
      '本日はファクス送信サービスをご利用いただき、誠にありがとうございます。This is a test of the text renderer, ' +
      'with English words mixed into Japanese sentences. 請求書番号：ＩＮＶ－２０２４－００１、金額：１２，３４５円。\n';
    const grid = textGrid(3, 'A4', 'portrait');
    const text = para.repeat(grid.lines * 10);
    const measure = async (resolution: Resolution, orientation: Orientation, paper: Paper, fontSize: FontSize): Promise<number> => {
      const t0 = performance.now();
      let n = 0;
      for await (const _ of renderText(new Uint8Array(Buffer.from(text)), { ...base, resolution, orientation, paper, fontSize })) {
        n++;
        if (n === 10) break;
      }
      const perPage = (performance.now() - t0) / n;
      console.log(`${paper} ${orientation} ${resolution} size ${fontSize}: ${perPage.toFixed(0)} ms/page over ${n} pages`);
      return perPage;
    };
    assert.ok((await measure('fine', 'portrait', 'A4', 3)) < 1000);
    assert.ok((await measure('fine', 'landscape', 'A4', 1)) < 1000);
    assert.ok((await measure('standard', 'portrait', 'A4', 3)) < 1000);
  });
});

describe('glyph cache', () => {
  it('renders a page with more distinct characters than one atlas holds, each in its place', async () => {
    // 19 lines x 13 cells of distinct kanji at size 7: more tiles than one 4 M pixel atlas takes.
    const grid = textGrid(7, 'A4', 'portrait');
    const chars = Array.from({ length: grid.lines * grid.fullColumns }, (_, i) => String.fromCodePoint(0x4e00 + i * 7));
    const text = Array.from({ length: grid.lines }, (_, l) => chars.slice(l * grid.fullColumns, (l + 1) * grid.fullColumns).join('')).join('\n');
    const page = await onePage(text, { fontSize: 7 });
    // Every cell has ink: test the centre column of each cell across the line's rows.
    const g = pageGeometry({ paper: 'A4', orientation: 'portrait', resolution: 'fine' });
    for (let l = 0; l < grid.lines; l += 6) {
      const top = Math.round((grid.topMm + l * grid.linePitchMm) * g.pxPerMmY);
      const bottom = Math.round((grid.topMm + (l + 1) * grid.linePitchMm) * g.pxPerMmY);
      for (let c = 0; c < grid.fullColumns; c++) {
        const x0 = Math.round((grid.leftMm + (c * grid.areaWidthMm) / grid.fullColumns) * g.pxPerMmX);
        const x1 = Math.round((grid.leftMm + ((c + 1) * grid.areaWidthMm) / grid.fullColumns) * g.pxPerMmX);
        let ink = 0;
        for (let y = top; y < bottom; y++) for (let x = x0; x < x1; x++) ink += getPixel(page, x, y);
        assert.ok(ink > 100, `line ${l} cell ${c}: ${ink} black pixels`);
      }
    }
  });
});

describe('glyph tiles', () => {
  const face = { families: resolveFont('MS Gothic').families, emMm: 3.5, pxPerMmX: 1728 / 215, pxPerMmY: 196 / 25.4 };

  it('pages prepared side by side render a shared character once', async () => {
    const cache = new GlyphCache(face);
    await Promise.all([cache.prepare([...'fax page']), cache.prepare([...'page two']), cache.prepare([...'two fax'])]);
    // Distinct inked characters: f a x p g e t w o.
    assert.equal(cache.rendered, 9);
    for (const ch of 'faxpgetwo') assert.ok(cache.tile(ch) !== undefined, ch);
  });

  it('a glyph is the same pixels whichever atlas cell it was drawn in (pages do not depend on what was cached before)', async () => {
    // The header's face at standard and fine resolution: anisotropic scales, where positions
    // in mm under one scale used to leave glyphs a rounding error off the pixel grid.
    for (const pxPerMmY of [98 / 25.4, 196 / 25.4]) {
      const face = { families: resolveFont('MS Gothic').families, emMm: 2.8, pxPerMmX: 204 / 25.4, pxPerMmY };
      const alone = new GlyphCache(face);
      const crowded = new GlyphCache(face);
      const chars = '0123456789/:+Page宛先送信';
      await crowded.prepare('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz' + chars);
      for (const ch of chars) {
        await alone.prepare(ch);
        const a = alone.tile(ch)!;
        const b = crowded.tile(ch)!;
        assert.deepEqual([b.width, b.height, b.dx, b.dy], [a.width, a.height, a.dx, a.dy], ch);
        assert.ok(Buffer.from(a.data).equals(Buffer.from(b.data)), `${ch}: the same pixels in a crowded atlas and alone`);
      }
    }
  });
});
