/**
 * Legibility: a Japanese and English page, printed to PDF by Chromium in Gothic and Mincho at
 * 8 to 12 pt, rendered to fine fax pages by us and by Ghostscript's tiffg4 device at the same
 * resolution, all read back with tesseract. Ours must read at least as well as Ghostscript's
 * over the pages, and no page much worse. One page alone does not tell: a single glyph shape
 * (IPAGothic's slashed zero, hinted one pixel differently) moves its accuracy by 0.02 either way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTiffPage, readTiff } from '../../../protocols/tiff/index.ts';
import { openDocuments } from '../../../plugins/documents/pipeline.ts';
import type { Quality } from '../../../plugins/documents/raster/types.ts';
import { characterAccuracy, ocrBitmap, tesseractAvailable } from '../../support/ocr.ts';
import { work, writeWork } from './support.ts';

const reference = [
  '請求書番号 2024-0815 のご案内',
  'いつもお世話になっております。下記の通りご請求申し上げます。',
  'お支払期限は来月末日です。ご確認のほどよろしくお願いいたします。',
  'Invoice number 2024-0815: payment due at the end of next month.',
  'Please contact our office in Tokyo if you have any questions.',
  '株式会社サンプル 東京都千代田区丸の内一丁目 電話 03-1234-5678',
];

/** The reference text once per page, in these fonts and sizes (11 pt Gothic first, the original page). */
const faces: readonly (readonly [string, number])[] = [
  ['IPAGothic', 11],
  ['IPAGothic', 8],
  ['IPAGothic', 9],
  ['IPAGothic', 10],
  ['IPAMincho', 10],
  ['IPAMincho', 12],
];

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

test('OCR reads our fine PDF rendering at least as well as Ghostscript tiffg4', { skip: !tesseractAvailable('jpn+eng'), timeout: 300_000 }, async () => {
  const pages = faces.map(([font, pt]) => `<section style="font:${pt}pt '${font}',sans-serif">${reference.map((l) => `<p>${l}</p>`).join('')}</section>`);
  const html = writeWork('ocr.html', `<!doctype html><meta charset="utf-8"><style>body{margin:20mm} p{margin:0 0 4mm} section{break-after:page}</style>${pages.join('')}`);
  const pdf = join(work, 'ocr.pdf');
  execFileSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${join(work, 'chrome-ocr')}`, '--no-pdf-header-footer', `--print-to-pdf=${pdf}`, `file://${html}`], { stdio: 'ignore', timeout: 120_000 });

  const gsTiff = join(work, 'ocr-gs.tif');
  execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=tiffg4', '-r204x196', `-sOutputFile=${gsTiff}`, pdf]);
  const gsBytes = readFileSync(gsTiff);
  const gsPages = readTiff(gsBytes).pages;
  assert.equal(gsPages.length, faces.length);
  const text = reference.join('\n');
  const gs: number[] = [];
  for (const p of gsPages) gs.push(characterAccuracy(text, await ocrBitmap(decodeTiffPage(gsBytes, p))));

  const ours: Record<Quality, number[]> = { mono: [], halftone: [] };
  for (const quality of ['mono', 'halftone'] as const) {
    const job = await openDocuments([{ name: 'ocr.pdf', bytes: readFileSync(pdf) }], { modes: { resolution: 'fine', quality } });
    try {
      for await (const page of job.pages()) ours[quality].push(characterAccuracy(text, await ocrBitmap(page.bitmap)));
    } finally {
      await job.close();
    }
  }
  const each = (xs: number[]): string => xs.map((x) => x.toFixed(3)).join(' ');
  console.log(`character accuracy at 204x196 (${faces.map(([f, pt]) => `${f} ${pt}pt`).join(', ')}):`);
  console.log(`  faxgate mono ${mean(ours.mono).toFixed(4)} [${each(ours.mono)}], halftone ${mean(ours.halftone).toFixed(4)} [${each(ours.halftone)}], ghostscript tiffg4 ${mean(gs).toFixed(4)} [${each(gs)}]`);
  assert.equal(ours.mono.length, faces.length);
  assert.ok(mean(ours.mono) >= mean(gs), `mono ${mean(ours.mono)} < ghostscript ${mean(gs)}`);
  ours.mono.forEach((m, i) => assert.ok(m >= gs[i]! - 0.025, `page ${i + 1} (${faces[i]!.join(' ')}pt): mono ${m}, ghostscript ${gs[i]}`));
  assert.ok(mean(ours.mono) > 0.9, `mono accuracy ${mean(ours.mono)}`);
});
