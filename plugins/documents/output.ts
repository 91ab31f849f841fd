import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { TiffStreamWriter } from '../../protocols/tiff/index.ts';
import type { TiffWriteCompression } from '../../protocols/tiff/index.ts';
import type { RenderJob } from './pipeline.ts';

/**
 * Writes a job's pages to a multi-page fax TIFF as they come: MMR pages are stored as coded
 * by the workers; other compressions re-code the bitmap. The file appears under its name
 * only when complete. `onPage` hears of each page written (pages so far, pages in all), for
 * progress on long documents.
 */
export async function writeFaxTiff(job: RenderJob, path: string, compression: TiffWriteCompression = 'mmr', onPage?: (written: number, total: number) => void): Promise<number> {
  const tmp = `${path}.partial-${process.pid}`;
  const out = createWriteStream(tmp);
  const write = async (chunk: Uint8Array): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  const writer = new TiffStreamWriter({ compression, totalPages: job.totalPages, software: 'faxgate' });
  let pages = 0;
  try {
    for await (const page of job.pages()) {
      const chunk =
        compression === 'mmr'
          ? writer.addPage({ encoded: { scheme: 'mmr', data: page.mmr, width: page.width, height: page.height }, xRes: page.xDpi, yRes: page.yDpi })
          : writer.addPage({ bitmap: page.bitmap, xRes: page.xDpi, yRes: page.yDpi });
      await write(chunk);
      pages++;
      onPage?.(pages, job.totalPages);
    }
    await write(writer.finish());
    out.end();
    await once(out, 'close');
    await rename(tmp, path);
    return pages;
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}
