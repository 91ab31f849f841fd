/**
 * Legibility: a Japanese and English page, printed to PDF by Chromium, rendered to a fine fax
 * page by us and by Ghostscript's tiffg4 device at the same resolution, both read back with
 * tesseract. Ours must read at least as well as Ghostscript's.
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

test('OCR reads our fine PDF rendering at least as well as Ghostscript tiffg4', { skip: !tesseractAvailable('jpn+eng'), timeout: 300_000 }, async () => {
  const html = writeWork('ocr.html', `<!doctype html><meta charset="utf-8"><style>body{font:11pt "IPAGothic",sans-serif;margin:20mm} p{margin:0 0 4mm}</style>${reference.map((l) => `<p>${l}</p>`).join('')}`);
  const pdf = join(work, 'ocr.pdf');
  execFileSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${join(work, 'chrome-ocr')}`, '--no-pdf-header-footer', `--print-to-pdf=${pdf}`, `file://${html}`], { stdio: 'ignore', timeout: 120_000 });

  const gsTiff = join(work, 'ocr-gs.tif');
  execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=tiffg4', '-r204x196', '-dFirstPage=1', '-dLastPage=1', `-sOutputFile=${gsTiff}`, pdf]);
  const gsBytes = readFileSync(gsTiff);
  const gsPage = decodeTiffPage(gsBytes, readTiff(gsBytes).pages[0]!);
  const text = reference.join('\n');
  const gsAccuracy = characterAccuracy(text, await ocrBitmap(gsPage));

  const ours: Record<Quality, number> = { mono: 0, halftone: 0 };
  for (const quality of ['mono', 'halftone'] as const) {
    const job = await openDocuments([{ name: 'ocr.pdf', bytes: readFileSync(pdf) }], { modes: { resolution: 'fine', quality } });
    try {
      for await (const page of job.pages()) {
        if (page.index === 0) ours[quality] = characterAccuracy(text, await ocrBitmap(page.bitmap));
      }
    } finally {
      await job.close();
    }
  }
  console.log(`character accuracy at 204x196: faxgate mono ${ours.mono.toFixed(3)}, faxgate halftone ${ours.halftone.toFixed(3)}, ghostscript tiffg4 ${gsAccuracy.toFixed(3)}`);
  assert.ok(ours.mono >= gsAccuracy, `mono ${ours.mono} < ghostscript ${gsAccuracy}`);
  assert.ok(ours.mono > 0.8, `mono accuracy ${ours.mono}`);
});
