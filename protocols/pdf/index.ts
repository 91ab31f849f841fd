/** PDF output of fax pages, with the CCITT data embedded as coded. */
export { writeFaxPdf, FaxPdfWriter, FaxPdfError } from './fax-pdf.ts';
export type { FaxPdfPage, FaxPdfOptions } from './fax-pdf.ts';
