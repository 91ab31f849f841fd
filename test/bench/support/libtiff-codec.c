/*
 * libtiff's CCITT codecs timed in-process, for `npm run bench:codec`.
 *
 *   libtiff-codec RAW WIDTH HEIGHT PAGES SCHEME REPS [OUT]
 *
 * RAW holds PAGES bitmaps of WIDTH x HEIGHT, rows packed MSB first, 1 = black (the layout of
 * protocols/t4 Bitmap.data), back to back. SCHEME is mh (TIFF compression 3, 1-D), mr
 * (compression 3, 2-D; YResolution 196 makes libtiff use K = 4) or mmr (compression 4).
 *
 * Encode pass: all pages into one TIFF held in memory (TIFFClientOpen over a growable buffer,
 * one strip per page). Decode pass: every strip of that TIFF back to a bitmap. After one
 * untimed pass of each, REPS passes of each are timed with the process CPU clock, so process
 * start, file I/O and page generation never count. Prints one JSON line: per-pass CPU ms,
 * coded bytes (strips only), libtiff errors and pages whose decode differs from the input.
 * OUT, when given, receives the coded TIFF so the caller can check its own decoder on it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tiffio.h>

typedef struct {
  uint8_t *data;
  tmsize_t size;     /* bytes written / valid */
  tmsize_t capacity;
  toff_t pos;
} MemFile;

static tmsize_t mem_read(thandle_t h, void *buf, tmsize_t n) {
  MemFile *m = (MemFile *)h;
  if ((tmsize_t)m->pos >= m->size) return 0;
  if (n > m->size - (tmsize_t)m->pos) n = m->size - (tmsize_t)m->pos;
  memcpy(buf, m->data + m->pos, (size_t)n);
  m->pos += (toff_t)n;
  return n;
}

static tmsize_t mem_write(thandle_t h, void *buf, tmsize_t n) {
  MemFile *m = (MemFile *)h;
  tmsize_t end = (tmsize_t)m->pos + n;
  if (end > m->capacity) {
    tmsize_t cap = m->capacity ? m->capacity : 1 << 20;
    while (cap < end) cap *= 2;
    uint8_t *next = realloc(m->data, (size_t)cap);
    if (!next) return -1;
    m->data = next;
    m->capacity = cap;
  }
  if ((tmsize_t)m->pos > m->size) memset(m->data + m->size, 0, (size_t)((tmsize_t)m->pos - m->size));
  memcpy(m->data + m->pos, buf, (size_t)n);
  m->pos = (toff_t)end;
  if (end > m->size) m->size = end;
  return n;
}

static toff_t mem_seek(thandle_t h, toff_t off, int whence) {
  MemFile *m = (MemFile *)h;
  if (whence == SEEK_SET) m->pos = off;
  else if (whence == SEEK_CUR) m->pos += off;
  else m->pos = (toff_t)m->size + off;
  return m->pos;
}

static int mem_close(thandle_t h) {
  (void)h;
  return 0;
}

static toff_t mem_size(thandle_t h) {
  return (toff_t)((MemFile *)h)->size;
}

/* Reading maps the buffer, as libtiff does with a file opened for reading. */
static int mem_map(thandle_t h, void **base, toff_t *size) {
  MemFile *m = (MemFile *)h;
  *base = m->data;
  *size = (toff_t)m->size;
  return 1;
}

static void mem_unmap(thandle_t h, void *base, toff_t size) {
  (void)h;
  (void)base;
  (void)size;
}

static long errors = 0;

static void count_error(const char *module, const char *fmt, va_list ap) {
  (void)module;
  (void)fmt;
  (void)ap;
  errors++;
}

static void ignore_warning(const char *module, const char *fmt, va_list ap) {
  (void)module;
  (void)fmt;
  (void)ap;
}

static double cpu_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int scheme_compression(const char *scheme, uint32_t *t4options) {
  *t4options = 0;
  if (strcmp(scheme, "mh") == 0) return COMPRESSION_CCITTFAX3;
  if (strcmp(scheme, "mr") == 0) {
    *t4options = GROUP3OPT_2DENCODING;
    return COMPRESSION_CCITTFAX3;
  }
  if (strcmp(scheme, "mmr") == 0) return COMPRESSION_CCITTFAX4;
  return -1;
}

/* All pages into a fresh in-memory TIFF; returns 0 on success. */
static int encode_all(MemFile *out, const uint8_t *raw, uint32_t width, uint32_t height, int pages, int compression,
                      uint32_t t4options) {
  out->size = 0;
  out->pos = 0;
  TIFF *tif = TIFFClientOpen("mem", "w", (thandle_t)out, mem_read, mem_write, mem_seek, mem_close, mem_size, mem_map,
                             mem_unmap);
  if (!tif) return -1;
  tmsize_t page_bytes = (tmsize_t)((width + 7) / 8) * height;
  for (int p = 0; p < pages; p++) {
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
    TIFFSetField(tif, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, height);
    TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    TIFFSetField(tif, TIFFTAG_XRESOLUTION, 204.0);
    TIFFSetField(tif, TIFFTAG_YRESOLUTION, 196.0);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, compression);
    if (compression == COMPRESSION_CCITTFAX3) TIFFSetField(tif, TIFFTAG_GROUP3OPTIONS, t4options);
    if (TIFFWriteEncodedStrip(tif, 0, (void *)(raw + (size_t)p * (size_t)page_bytes), page_bytes) < 0) {
      TIFFClose(tif);
      return -1;
    }
    if (!TIFFWriteDirectory(tif)) {
      TIFFClose(tif);
      return -1;
    }
  }
  TIFFClose(tif);
  return 0;
}

/*
 * Every page of the in-memory TIFF to bitmaps in `out`; returns the total coded bytes, or -1.
 */
static long decode_all(MemFile *in, uint8_t *out, uint32_t width, uint32_t height, int pages) {
  in->pos = 0;
  TIFF *tif = TIFFClientOpen("mem", "r", (thandle_t)in, mem_read, mem_write, mem_seek, mem_close, mem_size, mem_map,
                             mem_unmap);
  if (!tif) return -1;
  tmsize_t page_bytes = (tmsize_t)((width + 7) / 8) * height;
  long coded = 0;
  for (int p = 0; p < pages; p++) {
    if (p > 0 && !TIFFReadDirectory(tif)) break;
    toff_t *counts = NULL;
    if (TIFFGetField(tif, TIFFTAG_STRIPBYTECOUNTS, &counts) && counts) coded += (long)counts[0];
    TIFFReadEncodedStrip(tif, 0, out + (size_t)p * (size_t)page_bytes, page_bytes);
  }
  TIFFClose(tif);
  return coded;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void print_list(const char *name, const double *v, int n) {
  printf("\"%s\":[", name);
  for (int i = 0; i < n; i++) printf("%s%.3f", i ? "," : "", v[i]);
  printf("]");
}

int main(int argc, char **argv) {
  if (argc != 7 && argc != 8) {
    fprintf(stderr, "usage: %s RAW WIDTH HEIGHT PAGES mh|mr|mmr REPS [OUT]\n", argv[0]);
    return 2;
  }
  const char *path = argv[1];
  uint32_t width = (uint32_t)atoi(argv[2]);
  uint32_t height = (uint32_t)atoi(argv[3]);
  int pages = atoi(argv[4]);
  const char *scheme = argv[5];
  int reps = atoi(argv[6]);
  uint32_t t4options;
  int compression = scheme_compression(scheme, &t4options);
  if (compression < 0 || width == 0 || height == 0 || pages <= 0 || reps <= 0) {
    fprintf(stderr, "bad arguments\n");
    return 2;
  }
  size_t page_bytes = (size_t)((width + 7) / 8) * height;
  size_t total = page_bytes * (size_t)pages;
  uint8_t *raw = malloc(total);
  uint8_t *back = malloc(total);
  FILE *f = fopen(path, "rb");
  if (!raw || !back || !f || fread(raw, 1, total, f) != total) {
    fprintf(stderr, "cannot read %zu bytes from %s\n", total, path);
    return 1;
  }
  fclose(f);
  TIFFSetErrorHandler(count_error);
  TIFFSetWarningHandler(ignore_warning);

  MemFile file = {0};
  double *enc = calloc((size_t)reps, sizeof(double));
  double *dec = calloc((size_t)reps, sizeof(double));
  /* Warm-up, and the data the decode passes read. */
  if (encode_all(&file, raw, width, height, pages, compression, t4options) != 0) {
    fprintf(stderr, "libtiff encode failed\n");
    return 1;
  }
  long coded = decode_all(&file, back, width, height, pages);
  errors = 0;
  for (int r = 0; r < reps; r++) {
    double t0 = cpu_ms();
    encode_all(&file, raw, width, height, pages, compression, t4options);
    enc[r] = cpu_ms() - t0;
    t0 = cpu_ms();
    decode_all(&file, back, width, height, pages);
    dec[r] = cpu_ms() - t0;
  }
  if (argc == 8) {
    FILE *o = fopen(argv[7], "wb");
    if (!o || fwrite(file.data, 1, (size_t)file.size, o) != (size_t)file.size || fclose(o) != 0) {
      fprintf(stderr, "cannot write %s\n", argv[7]);
      return 1;
    }
  }
  int mismatched = 0;
  for (int p = 0; p < pages; p++) {
    if (memcmp(raw + (size_t)p * page_bytes, back + (size_t)p * page_bytes, page_bytes) != 0) mismatched++;
  }
  printf("{\"scheme\":\"%s\",\"pages\":%d,\"codedBytes\":%ld,\"errors\":%ld,\"mismatchedPages\":%d,", scheme, pages,
         coded, errors / reps, mismatched);
  print_list("encodeMs", enc, reps);
  printf(",");
  print_list("decodeMs", dec, reps);
  qsort(enc, (size_t)reps, sizeof(double), cmp_double);
  qsort(dec, (size_t)reps, sizeof(double), cmp_double);
  printf(",\"encodeMedianMs\":%.3f,\"decodeMedianMs\":%.3f}\n", enc[reps / 2], dec[reps / 2]);
  free(raw);
  free(back);
  free(file.data);
  free(enc);
  free(dec);
  return 0;
}
