import yauzl from 'yauzl';
import { DocumentError } from '../errors.ts';
import type { RenderLimits } from '../options.ts';
import type { DocumentRenderer, OpenedDocument, RenderEnv, SniffedInput } from '../renderer.ts';
import { MediaType, sniff } from '../sniff.ts';
import type { FaxPageResult, FinishSpec } from '../worker/protocol.ts';

/**
 * ZIP archives: every supported entry becomes pages, in name order (what a user sees in a
 * file list); entries we cannot fax are skipped with a warning. Archives are refused as bombs
 * when they hold too many entries, expand past the total size, compress a single entry
 * implausibly well, or nest deeper than allowed. Sizes are counted on the bytes actually
 * inflated, not the sizes the archive claims.
 */

interface Entry {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export const zipRenderer: DocumentRenderer = {
  kind: 'zip',
  async open(input: SniffedInput, env: RenderEnv): Promise<OpenedDocument> {
    const depth = env.depth + 1;
    if (depth > env.limits.maxZipDepth) throw new DocumentError('DOC_ZIP_BOMB', { name: input.name, reason: 'archives nested too deep', maxDepth: env.limits.maxZipDepth });
    const entries = (await readEntries(input, env.limits)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const children: OpenedDocument[] = [];
    try {
      for (const e of entries) {
        const s = await sniff(e.bytes);
        const name = `${input.name}/${e.name}`;
        if (s.mediaType !== MediaType.encryptedOffice && env.rendererFor(s.mediaType) === undefined) {
          env.warn(`${name}: skipped, not a type that can be faxed (${s.mediaType})`);
          continue;
        }
        children.push(await env.openNested({ name, bytes: e.bytes, mediaType: s.mediaType, extension: s.extension }, depth));
      }
    } catch (err) {
      await Promise.allSettled(children.map((c) => c.close()));
      throw err;
    }
    if (children.length === 0) throw new DocumentError('DOC_UNSUPPORTED_TYPE', { name: input.name, reason: 'no entry that can be faxed' });
    const starts: number[] = [];
    let total = 0;
    for (const c of children) {
      starts.push(total);
      total += c.pageCount;
    }
    return {
      pageCount: total,
      page: (index: number, finish: FinishSpec): Promise<FaxPageResult> => {
        let i = children.length - 1;
        while (i > 0 && starts[i]! > index) i--;
        return children[i]!.page(index - starts[i]!, finish);
      },
      close: async () => {
        await Promise.allSettled(children.map((c) => c.close()));
      },
    };
  },
};

function readEntries(input: SniffedInput, limits: RenderLimits): Promise<Entry[]> {
  const buf = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
  return new Promise<Entry[]>((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err) return reject(new DocumentError('DOC_CORRUPT', { name: input.name, format: 'zip', reason: err.message }));
      const out: Entry[] = [];
      let expanded = 0;
      let settled = false;
      const fail = (e: DocumentError): void => {
        if (settled) return;
        settled = true;
        zip.close();
        reject(e);
      };
      if (zip.entryCount > limits.maxZipEntries) return fail(new DocumentError('DOC_ZIP_BOMB', { name: input.name, entries: zip.entryCount, maxEntries: limits.maxZipEntries }));
      zip.on('error', (e: Error) => fail(new DocumentError('DOC_CORRUPT', { name: input.name, format: 'zip', reason: e.message })));
      zip.on('end', () => {
        if (settled) return;
        settled = true;
        resolve(out);
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        // Directories, and the metadata macOS and Windows leave in archives, are not documents.
        if (name.endsWith('/') || name.startsWith('__MACOSX/') || /(^|\/)\./.test(name) || /(^|\/)Thumbs\.db$/i.test(name)) {
          zip.readEntry();
          return;
        }
        if ((entry.generalPurposeBitFlag & 1) !== 0) return fail(new DocumentError('DOC_PASSWORD_PROTECTED', { name: `${input.name}/${name}`, format: 'zip' }));
        if (entry.uncompressedSize > limits.maxInputBytes) return fail(new DocumentError('DOC_ZIP_BOMB', { name: `${input.name}/${name}`, bytes: entry.uncompressedSize, max: limits.maxInputBytes }));
        if (expanded + entry.uncompressedSize > limits.maxZipExpandedBytes) return fail(new DocumentError('DOC_ZIP_BOMB', { name: input.name, expanded: expanded + entry.uncompressedSize, max: limits.maxZipExpandedBytes }));
        // Deflate tops out near 1032:1; real documents compress a few times, rarely past 100.
        if (entry.uncompressedSize > 1024 * 1024 && entry.uncompressedSize > entry.compressedSize * limits.maxZipRatio) {
          return fail(new DocumentError('DOC_ZIP_BOMB', { name: `${input.name}/${name}`, ratio: Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize)), maxRatio: limits.maxZipRatio }));
        }
        zip.openReadStream(entry, (e2, stream) => {
          if (e2) return fail(new DocumentError('DOC_CORRUPT', { name: input.name, format: 'zip', reason: e2.message }));
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (c: Buffer) => {
            size += c.length;
            // validateEntrySizes also stops a lying header, but only at the end of the entry.
            if (size > entry.uncompressedSize || expanded + size > limits.maxZipExpandedBytes) {
              stream.destroy();
              fail(new DocumentError('DOC_ZIP_BOMB', { name: `${input.name}/${name}`, reason: 'entry larger than declared' }));
              return;
            }
            chunks.push(c);
          });
          stream.on('error', (e3: Error) => fail(new DocumentError('DOC_CORRUPT', { name: `${input.name}/${name}`, format: 'zip', reason: e3.message })));
          stream.on('end', () => {
            expanded += size;
            out.push({ name, bytes: new Uint8Array(Buffer.concat(chunks)) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
