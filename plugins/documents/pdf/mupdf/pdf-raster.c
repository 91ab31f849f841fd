/*
 * faxgate-pdf-raster: draws PDF pages with MuPDF straight into fax-page bits.
 *
 * Licence boundary. MuPDF is AGPL-3.0 and faxgate is Apache-2.0, so MuPDF is never linked
 * into the Node process (no addon, no FFI). This program is the only thing that links it; it
 * runs as a separate process and faxgate talks to it over stdin/stdout, as it does with
 * Ghostscript, LibreOffice and Chromium. The TypeScript client is mupdf/helper.ts.
 *
 * Why a program of our own and not `mutool draw`: piping a 4 MB gray page costs more than
 * drawing it, and mutool's own 1-bit output is slower than thresholding here. So the page is
 * drawn into a reused 8-bit gray buffer without anti-aliasing, thresholded or error-diffused
 * exactly as raster/bilevel.ts does it, and leaves this process coded as T.6 (MMR, by mmr.c:
 * a fortieth of the gray bytes, and coded in a third of the time JavaScript takes) or as
 * packed 1-bit rows.
 *
 * Protocol: one request at a time, in order. A request is one text line, fields separated by
 * single spaces, and for `open` a binary payload after it. Every reply starts with a line:
 *
 *   open ID NBYTES\n<NBYTES of PDF>      -> ok PAGES W1 H1 W2 H2 ...\n   (sizes in points, after /Rotate)
 *   page ID INDEX W H CX CY CW CH A B C D E F MODE T OUT TOP [OFFSET]\n<TOP bytes>
 *                                        -> ok NBYTES DRAW_US BILEVEL_US CODE_US\n<NBYTES>
 *        Page INDEX (0-based) drawn on a W x H white page through the matrix [A B C D E F]
 *        (from page points, top-left corner at 0,0, y down, to pixels), clipped to the
 *        rectangle CX,CY,CW,CH. MODE: mono (gray < T is black), halftone (error diffusion),
 *        gray (W*H bytes, for tests). OUT for mono and halftone: bits (H rows of ceil(W/8)
 *        bytes, MSB first, 1 = black, bits past W zero) or mmr (the page coded as T.6 with
 *        EOFB, as protocols/t4 codes it); gray takes bits. TOP bytes (a whole number of
 *        rows, 0 for none) replace the page's first rows before it is coded: the header
 *        line (S8), drawn by the client. DRAW_US, BILEVEL_US and CODE_US are the CPU time
 *        this process spent drawing, converting and coding the page (for the benchmark).
 *        With OFFSET (and --out-fd), the NBYTES are written into that file at OFFSET instead
 *        of after the reply line: the client reads them with one call, where half a
 *        megabyte through a pipe costs it a dozen reads and wake-ups (about 2 ms a page, a
 *        sixth of a page's whole CPU). The client owns the file and picks the offsets, so an
 *        answer it has not read yet is never overwritten.
 *   close ID\n                           -> ok\n
 *   any failure                          -> err KIND message\n
 *        KIND: password, corrupt, memory, request (a malformed request; the client's bug).
 *
 * Limits: the address space is capped (setrlimit, --max-memory-mb, 2048 by default) so a
 * hostile PDF fails with `err memory` or dies, never takes the machine; the client enforces a
 * time limit per request by killing this process.
 */
#define _GNU_SOURCE
#include <mupdf/fitz.h>
#include <mupdf/pdf.h>

#include "mmr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* Eight pixels are read as one 64-bit word, pixel 0 in the low byte. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pdf-raster.c reads pixels as little-endian words"
#endif

#define MAX_DOCS 64
#define MAX_ID 64
#define MAX_LINE 512
#define MAX_PDF_BYTES (512u << 20)
#define MAX_SIDE 16384
#define MAX_PIXELS (64u << 20)
/* Header rows sent with a page: a strip of the widest page is a few hundred kilobytes. */
#define MAX_TOP_BYTES (16u << 20)

struct doc {
	char id[MAX_ID];
	fz_document *fz;
	pdf_document *pdf;
	int pages;
};

static fz_context *ctx;
static struct doc docs[MAX_DOCS];
/* Where page bits go when a request gives an offset (--out-fd); -1 for none. */
static int out_fd = -1;

/* The page buffer, reused from page to page (reallocated only when the page size changes). */
static unsigned char *gray;
static size_t gray_size;
/*
 * How many leading bytes of `gray` are known to be white. Thresholding and diffusion put
 * back the white they read past, so the next page needs no clearing pass over 4 MB (a tenth
 * of a text page's drawing time): only the few words that held ink are written twice.
 */
static size_t gray_white;
static unsigned char *bits;
static size_t bits_size;
/* A coded page, and the coder's two lists of changing elements. */
static unsigned char *coded;
static size_t coded_size;
static int32_t *mmr_lists;
static size_t mmr_lists_size;
/* Error diffusion rows: errors in 1/16ths with a guard pixel at each end (see diffuse()). */
static int16_t *err_rows;
static size_t err_width;

static void die(const char *why)
{
	fprintf(stderr, "faxgate-pdf-raster: %s\n", why);
	exit(2);
}

static long cpu_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void write_all(const void *p, size_t n)
{
	const unsigned char *b = p;
	while (n > 0) {
		ssize_t w = write(1, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			exit(0); /* the client went away */
		b += w;
		n -= (size_t)w;
	}
}

static void read_all(void *p, size_t n)
{
	if (n > 0 && fread(p, 1, n, stdin) != n)
		exit(0);
}

/* One reply line; the message is kept on one line whatever MuPDF put in it. */
static void reply_err(const char *kind, const char *msg)
{
	char line[MAX_LINE];
	int n = snprintf(line, sizeof line, "err %s %s", kind, msg);
	if (n < 0 || n >= (int)sizeof line - 1)
		n = (int)sizeof line - 2;
	for (int i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	write_all(line, (size_t)n);
}

/* MuPDF's caught error as a reply: out of memory, a refused password, or a damaged file. */
static void reply_caught(void)
{
	const char *msg = fz_caught_message(ctx);
	if (fz_caught(ctx) == FZ_ERROR_MEMORY)
		reply_err("memory", msg);
	else if (strstr(msg, "crypt") != NULL || strstr(msg, "password") != NULL)
		reply_err("password", msg); /* an encryption handler MuPDF does not know */
	else
		reply_err("corrupt", msg);
}

static struct doc *find_doc(const char *id)
{
	for (int i = 0; i < MAX_DOCS; i++)
		if (docs[i].fz != NULL && strcmp(docs[i].id, id) == 0)
			return &docs[i];
	return NULL;
}

static void close_doc(struct doc *d)
{
	fz_drop_document(ctx, d->fz);
	memset(d, 0, sizeof *d);
}

/*
 * A page's size without loading the page (its annotations and resources): the page box
 * through the page's own transform, as pdf_bound_page does it. A page whose object is broken
 * is 0 x 0 here and fails when drawn.
 */
static fz_rect page_box(pdf_document *pdf, int i)
{
	fz_rect box = fz_empty_rect;
	fz_var(box);
	fz_try(ctx)
	{
		fz_rect media;
		fz_matrix ctm;
		pdf_page_obj_transform(ctx, pdf_lookup_page_obj(ctx, pdf, i), &media, &ctm);
		box = fz_transform_rect(media, ctm);
	}
	fz_catch(ctx)
	{
		if (fz_caught(ctx) == FZ_ERROR_MEMORY)
			fz_rethrow(ctx);
	}
	if (fz_is_empty_rect(box))
		return fz_make_rect(0, 0, 0, 0);
	return box;
}

static void op_open(const char *id, size_t n)
{
	unsigned char *data = malloc(n > 0 ? n : 1);
	if (data == NULL) {
		/* Keep the stream in step: the payload is read (and dropped) whatever happens. */
		unsigned char sink[65536];
		for (size_t left = n; left > 0;) {
			size_t k = left < sizeof sink ? left : sizeof sink;
			read_all(sink, k);
			left -= k;
		}
		reply_err("memory", "no memory for the PDF");
		return;
	}
	read_all(data, n);
	struct doc *old = find_doc(id);
	if (old != NULL)
		close_doc(old);
	struct doc *d = NULL;
	for (int i = 0; i < MAX_DOCS && d == NULL; i++)
		if (docs[i].fz == NULL)
			d = &docs[i];
	if (d == NULL) {
		free(data);
		reply_err("request", "too many open documents");
		return;
	}

	fz_buffer *buf = NULL;
	fz_stream *stm = NULL;
	pdf_document *pdf = NULL;
	char *line = NULL;
	fz_var(data);
	fz_var(buf);
	fz_var(stm);
	fz_var(pdf);
	fz_var(line);
	fz_try(ctx)
	{
		/* The buffer owns the bytes from here; the document keeps the stream (and so them). */
		buf = fz_new_buffer_from_data(ctx, data, n);
		data = NULL;
		stm = fz_open_buffer(ctx, buf);
		pdf = pdf_open_document_with_stream(ctx, stm);
		if (pdf_needs_password(ctx, pdf))
			fz_throw(ctx, FZ_ERROR_GENERIC, "password required");
		int pages = pdf_count_pages(ctx, pdf);
		/* Repair that finds no page at all: a damaged file, not an empty document. */
		if (pages == 0 && pdf_was_repaired(ctx, pdf))
			fz_throw(ctx, FZ_ERROR_GENERIC, "no pages found in a damaged file");
		/* "ok PAGES" then two numbers per page; a size is at most ~24 characters. */
		size_t cap = 32 + (size_t)pages * 48;
		line = fz_malloc(ctx, cap);
		size_t len = (size_t)snprintf(line, cap, "ok %d", pages);
		for (int i = 0; i < pages; i++) {
			fz_rect box = page_box(pdf, i);
			len += (size_t)snprintf(line + len, cap - len, " %.4f %.4f", box.x1 - box.x0, box.y1 - box.y0);
		}
		line[len++] = '\n';
		snprintf(d->id, sizeof d->id, "%s", id);
		d->pdf = pdf;
		d->fz = (fz_document *)pdf;
		d->pages = pages;
		pdf = NULL;
		write_all(line, len);
	}
	fz_always(ctx)
	{
		fz_free(ctx, line);
		fz_drop_stream(ctx, stm);
		fz_drop_buffer(ctx, buf);
		pdf_drop_document(ctx, pdf);
	}
	fz_catch(ctx)
	{
		if (strcmp(fz_caught_message(ctx), "password required") == 0)
			reply_err("password", "password required");
		else
			reply_caught();
	}
	free(data);
}

static int ensure_buffers(int w, int h)
{
	size_t g = (size_t)w * (size_t)h;
	size_t b = (size_t)((w + 7) / 8) * (size_t)h;
	if (g > gray_size) {
		free(gray);
		gray = malloc(g);
		gray_size = gray != NULL ? g : 0;
		gray_white = 0;
	}
	if (b > bits_size) {
		free(bits);
		bits = malloc(b);
		bits_size = bits != NULL ? b : 0;
	}
	if ((size_t)w + 2 > err_width) {
		free(err_rows);
		err_rows = malloc(2 * ((size_t)w + 2) * sizeof *err_rows);
		err_width = err_rows != NULL ? (size_t)w + 2 : 0;
	}
	return gray != NULL && bits != NULL && err_rows != NULL;
}

static int ensure_coder(int w, int h)
{
	size_t c = mmr_bound(w, h);
	size_t l = 2 * mmr_list_size(w);
	if (c > coded_size) {
		free(coded);
		coded = malloc(c);
		coded_size = coded != NULL ? c : 0;
	}
	if (l > mmr_lists_size) {
		free(mmr_lists);
		mmr_lists = malloc(l * sizeof *mmr_lists);
		mmr_lists_size = mmr_lists != NULL ? l : 0;
	}
	return coded != NULL && mmr_lists != NULL;
}

/*
 * Whether the 32 pixels at s (pixel x of a row of w) are all white: most of a text page is,
 * and one test per 32 pixels passes over them four times faster than per 8.
 */
static inline int white32(const unsigned char *s, int x, int w)
{
	if ((x & 31) != 0 || x + 32 > w)
		return 0;
	uint64_t a, b, c, d;
	memcpy(&a, s, 8);
	memcpy(&b, s + 8, 8);
	memcpy(&c, s + 16, 8);
	memcpy(&d, s + 24, 8);
	return (a & b & c & d) == UINT64_MAX;
}

/*
 * Threshold: gray < t is black. Eight pixels at a time: eight 255s are a white byte; at
 * t = 128 a pixel is black exactly when its top bit is clear, so the byte comes out of one
 * multiplication: (~w >> 7) & 0x01.. puts pixel i at bit 8i, and 0x8040201008040201 moves it
 * to bit 63 - i with every partial product on a bit of its own (no carries).
 */
static void threshold(unsigned char *src, int w, int h, int t, unsigned char *dst)
{
	const int rb = (w + 7) / 8;
	const int fast128 = t == 128;
	const uint64_t white = UINT64_MAX;
	for (int y = 0; y < h; y++) {
		unsigned char *s = src + (size_t)y * w;
		unsigned char *d = dst + (size_t)y * rb;
		int x = 0;
		for (; x + 8 <= w; x += 8, s += 8) {
			if (white32(s, x, w)) {
				memset(d, 0, 4);
				d += 4;
				x += 24;
				s += 24;
				continue;
			}
			uint64_t v;
			memcpy(&v, s, 8);
			if (v == UINT64_MAX) {
				*d++ = 0;
				continue;
			}
			memcpy(s, &white, 8);
			if (fast128) {
				*d++ = (unsigned char)((((~v >> 7) & 0x0101010101010101ull) * 0x8040201008040201ull) >> 56);
				continue;
			}
			unsigned byte = 0;
			for (int i = 0; i < 8; i++)
				byte = (byte << 1) | (((v >> (8 * i)) & 0xff) < (uint64_t)t);
			*d++ = (unsigned char)byte;
		}
		if (x < w) {
			unsigned byte = 0;
			for (int bit = 7; x < w; x++, s++, bit--) {
				if (*s < t)
					byte |= 1u << bit;
				*s = 255;
			}
			*d = (unsigned char)byte;
		}
	}
}

/*
 * Floyd-Steinberg error diffusion, serpentine, bit for bit what errorDiffusion() in
 * raster/bilevel.ts gives on the same gray (test/interop/documents/mupdf-raster.test.ts
 * proves it): errors carried in 1/16ths in int16 rows with a guard pixel at each end (index
 * x + 1 is pixel x), (e + 8) >> 4 rounding, v < 128 black, and, as there, paper and ink
 * absorb error: a pure white or black pixel is itself and passes no error on. So eight pure
 * pixels that fill one output byte are settled at once, as threshold() does them (a text
 * page drawn without anti-aliasing is nearly all such bytes), and a row of them at threshold
 * speed (plain_row). Only the span of a row that received errors is cleared afterwards.
 */
/*
 * Whether the eight pixels of v (pixel 0 in the low byte) are each pure black or white, and
 * if so their bits in *byte (MSB first, 1 = black): each pixel's top bit, spread to bit 8i,
 * must rebuild the whole pixel, and the multiplication gathers them as in threshold().
 */
static inline int pure8(uint64_t v, unsigned char *byte)
{
	const uint64_t top = (v >> 7) & 0x0101010101010101ull;
	if (top * 0xFF != v)
		return 0;
	*byte = (unsigned char)(((top ^ 0x0101010101010101ull) * 0x8040201008040201ull) >> 56);
	return 1;
}

/*
 * A row of pure black and white pixels: diffusion gives the threshold's bits, in either
 * direction, so it is done eight pixels at a time. Returns 0 (and leaves the row's bits
 * clear) when some pixel is gray.
 */
static int plain_row(unsigned char *row, int w, unsigned char *out)
{
	if ((w & 7) != 0)
		return 0;
	const uint64_t white = UINT64_MAX;
	for (int x = 0; x < w; x += 8) {
		if (white32(row + x, x, w)) {
			memset(out + (x >> 3), 0, 4);
			x += 24;
			continue;
		}
		uint64_t v;
		memcpy(&v, row + x, 8);
		if (v == UINT64_MAX) {
			out[x >> 3] = 0;
			continue;
		}
		if (!pure8(v, &out[x >> 3])) {
			/*
			 * A gray pixel: the row goes to diffuse() as it was. The pixels before it were
			 * each black or white, as their bits say: put back the black ones made white.
			 */
			for (int k = 0; k < x; k += 8) {
				const unsigned b = out[k >> 3];
				for (int i = 0; b != 0 && i < 8; i++)
					if (b & (0x80u >> i))
						row[k + i] = 0;
			}
			memset(out, 0, (size_t)x / 8);
			return 0;
		}
		memcpy(row + x, &white, 8); /* white again for the next page (gray_white) */
	}
	return 1;
}

static void diffuse(unsigned char *src, int w, int h, unsigned char *dst)
{
	const int rb = (w + 7) / 8;
	int16_t *cur = err_rows;
	int16_t *next = err_rows + w + 2;
	memset(err_rows, 0, 2 * ((size_t)w + 2) * sizeof *err_rows);
	memset(dst, 0, (size_t)rb * h);
	/* Indices of cur that may hold an error from the row above (none when lo > hi). */
	int cur_lo = w + 2, cur_hi = -1;
	for (int y = 0; y < h; y++) {
		unsigned char *row = src + (size_t)y * w;
		unsigned char *out = dst + (size_t)y * rb;
		/* Indices of cur written at all (the row above's span and this row's 7/16 errors). */
		int dirty_lo = cur_lo, dirty_hi = cur_hi;
		int next_lo = w + 2, next_hi = -1;
		if (!plain_row(row, w, out)) {
			const int ltr = (y & 1) == 0;
			const int step = ltr ? 1 : -1;
			int x = ltr ? 0 : w - 1;
			for (int n = 0; n < w; n++, x += step) {
				/* Eight pure pixels that make one whole output byte: as they are. */
				const int first = ltr ? x : x - 7;
				if ((first & 7) == 0 && first >= 0 && first + 8 <= w) {
					uint64_t v;
					memcpy(&v, row + first, 8);
					if (pure8(v, &out[first >> 3])) {
						x += 7 * step;
						n += 7;
						continue;
					}
				}
				const int px = row[x];
				if (px == 255)
					continue;
				if (px == 0) {
					out[x >> 3] |= (unsigned char)(0x80 >> (x & 7));
					continue;
				}
				const int v = px + ((cur[x + 1] + 8) >> 4);
				int err;
				if (v < 128) {
					out[x >> 3] |= (unsigned char)(0x80 >> (x & 7));
					err = v;
				} else {
					err = v - 255;
				}
				if (err == 0)
					continue;
				const int ahead = x + 1 + step;
				cur[ahead] = (int16_t)(cur[ahead] + err * 7);
				if (ahead < dirty_lo)
					dirty_lo = ahead;
				if (ahead > dirty_hi)
					dirty_hi = ahead;
				next[x + 1 - step] = (int16_t)(next[x + 1 - step] + err * 3);
				next[x + 1] = (int16_t)(next[x + 1] + err * 5);
				next[x + 1 + step] = (int16_t)(next[x + 1 + step] + err);
				if (x < next_lo)
					next_lo = x;
				if (x + 2 > next_hi)
					next_hi = x + 2;
			}
			memset(row, 255, (size_t)w); /* white for the next page (gray_white) */
		}
		/* cur becomes the row after next's: clear what this row left in it. */
		if (dirty_lo <= dirty_hi)
			memset(cur + dirty_lo, 0, (size_t)(dirty_hi - dirty_lo + 1) * sizeof *cur);
		int16_t *t = cur;
		cur = next;
		next = t;
		cur_lo = next_lo;
		cur_hi = next_hi;
	}
}

/*
 * Ink spread for text. Drawn without anti-aliasing, MuPDF's glyphs are hinted to the pixel
 * grid and come out a little thinner than Ghostscript's (whose fill rule blackens every pixel
 * a glyph touches); at 204x196 tesseract then misreads a few characters more. Every font is
 * therefore drawn with MuPDF's synthetic bold (an outline grown by a few hundredths of an em):
 * on the six Japanese and English pages of test/interop/documents/ocr-pdf.test.ts (Gothic
 * and Mincho, 8-12 pt) tesseract's accuracy went from 0.989 to 0.994 (Ghostscript 0.993) for
 * no measurable time, where anti-aliased glyphs thresholded read no better and cost ~6 ms a
 * page more to draw. The draw device's text calls are wrapped
 * to mark each font before its glyphs are made (and cached).
 */
static void (*draw_fill_text)(fz_context *, fz_device *, const fz_text *, fz_matrix, fz_colorspace *, const float *, float, fz_color_params);
static void (*draw_clip_text)(fz_context *, fz_device *, const fz_text *, fz_matrix, fz_rect);

static void embolden(fz_context *c, const fz_text *text)
{
	for (const fz_text_span *span = text->head; span != NULL; span = span->next)
		fz_font_flags(span->font)->fake_bold = 1;
	(void)c;
}

static void fill_text_bold(fz_context *c, fz_device *dev, const fz_text *text, fz_matrix ctm, fz_colorspace *cs, const float *color, float alpha, fz_color_params cp)
{
	embolden(c, text);
	draw_fill_text(c, dev, text, ctm, cs, color, alpha, cp);
}

static void clip_text_bold(fz_context *c, fz_device *dev, const fz_text *text, fz_matrix ctm, fz_rect scissor)
{
	embolden(c, text);
	draw_clip_text(c, dev, text, ctm, scissor);
}

static void op_page(const char *id, int index, int w, int h, const int clip[4], const float m[6], const char *mode, int t, const char *out, const unsigned char *top, size_t top_n, long long offset)
{
	struct doc *d = find_doc(id);
	if (d == NULL) {
		reply_err("request", "no such document");
		return;
	}
	if (index < 0 || index >= d->pages) {
		reply_err("request", "no such page");
		return;
	}
	int want_gray = strcmp(mode, "gray") == 0;
	int want_halftone = strcmp(mode, "halftone") == 0;
	if (!want_gray && !want_halftone && strcmp(mode, "mono") != 0) {
		reply_err("request", "unknown mode");
		return;
	}
	int want_mmr = strcmp(out, "mmr") == 0;
	if ((!want_mmr && strcmp(out, "bits") != 0) || (want_gray && (want_mmr || top_n > 0))) {
		reply_err("request", "unknown output, or one gray pages do not take");
		return;
	}
	if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE || (size_t)w * (size_t)h > MAX_PIXELS) {
		reply_err("request", "page size out of range");
		return;
	}
	const size_t rb = (size_t)(w + 7) / 8;
	if (top_n % rb != 0 || top_n > rb * (size_t)h) {
		reply_err("request", "the top rows are not whole rows of the page");
		return;
	}
	if (!ensure_buffers(w, h) || (want_mmr && !ensure_coder(w, h))) {
		reply_err("memory", "no memory for the page");
		return;
	}
	/* The drawing area: the clip rectangle within the page. */
	int x0 = clip[0] < 0 ? 0 : clip[0];
	int y0 = clip[1] < 0 ? 0 : clip[1];
	int x1 = clip[0] + clip[2] > w ? w : clip[0] + clip[2];
	int y1 = clip[1] + clip[3] > h ? h : clip[1] + clip[3];

	long t0 = cpu_us();
	if (gray_white < (size_t)w * h)
		memset(gray, 255, (size_t)w * h);
	/* Drawn on from here: white again only once converted (below). */
	gray_white = 0;
	pdf_page *page = NULL;
	fz_pixmap *pix = NULL;
	fz_device *dev = NULL;
	fz_var(page);
	fz_var(pix);
	fz_var(dev);
	fz_try(ctx)
	{
		page = pdf_load_page(ctx, d->pdf, index);
		if (x1 > x0 && y1 > y0) {
			/*
			 * A pixmap over the clip rectangle of the page buffer (same stride): the draw
			 * device clips to it, so nothing outside the page's own box is drawn, as with
			 * PDFium, and nothing is copied afterwards.
			 */
			pix = fz_new_pixmap_with_data(ctx, fz_device_gray(ctx), x1 - x0, y1 - y0, NULL, 0, w, gray + (size_t)y0 * w + x0);
			pix->x = x0;
			pix->y = y0;
			fz_rect box = pdf_bound_page(ctx, page);
			fz_matrix ctm = fz_concat(fz_translate(-box.x0, -box.y0), fz_make_matrix(m[0], m[1], m[2], m[3], m[4], m[5]));
			dev = fz_new_draw_device(ctx, fz_identity, pix);
			draw_fill_text = dev->fill_text;
			draw_clip_text = dev->clip_text;
			dev->fill_text = fill_text_bold;
			dev->clip_text = clip_text_bold;
			/* Annotations and form fields as they are printed (their Print flags). */
			pdf_run_page_with_usage(ctx, page, dev, ctm, "Print", NULL);
			fz_close_device(ctx, dev);
		}
	}
	fz_always(ctx)
	{
		fz_drop_device(ctx, dev);
		fz_drop_pixmap(ctx, pix);
		fz_drop_page(ctx, (fz_page *)page);
	}
	fz_catch(ctx)
	{
		reply_caught();
		return;
	}

	long t1 = cpu_us();
	const unsigned char *payload;
	size_t n;
	if (want_gray) {
		payload = gray;
		n = (size_t)w * h;
	} else {
		if (want_halftone)
			diffuse(gray, w, h, bits);
		else
			threshold(gray, w, h, t, bits);
		gray_white = (size_t)w * h;
		memcpy(bits, top, top_n);
		payload = bits;
		n = rb * (size_t)h;
	}
	long t2 = cpu_us();
	if (want_mmr) {
		n = mmr_encode(bits, w, h, rb, coded, mmr_lists);
		payload = coded;
	}
	long t3 = cpu_us();
	char head[96];
	int hn = snprintf(head, sizeof head, "ok %zu %ld %ld %ld\n", n, t1 - t0, t2 - t1, t3 - t2);
	if (offset >= 0) {
		/*
		 * The client's slots hold the largest gray page (MAX_PIXELS bytes). Bits are an
		 * eighth of that, and T.6 never spends 8 bits on a pixel (at most 7, a VR3 or VL3 per
		 * pixel), so this holds; checked all the same, as a slot overrun would corrupt
		 * another page.
		 */
		if (n > MAX_PIXELS) {
			reply_err("memory", "the page is larger than a slot of the shared file");
			return;
		}
		for (size_t done = 0; done < n;) {
			ssize_t k = pwrite(out_fd, payload + done, n - done, (off_t)(offset + (long long)done));
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				reply_err("memory", "cannot write the page to the shared file");
				return;
			}
			done += (size_t)k;
		}
		write_all(head, (size_t)hn);
		return;
	}
	/* One writev: the client wakes once to the whole reply (the pipe holds a mono page). */
	struct iovec iov[2] = { { head, (size_t)hn }, { (void *)payload, n } };
	ssize_t wrote;
	do
		wrote = writev(1, iov, 2);
	while (wrote < 0 && errno == EINTR);
	if (wrote < 0)
		exit(0);
	if ((size_t)wrote < (size_t)hn) {
		write_all(head + wrote, (size_t)hn - (size_t)wrote);
		write_all(payload, n);
	} else {
		write_all(payload + ((size_t)wrote - (size_t)hn), n - ((size_t)wrote - (size_t)hn));
	}
}

static void silent(void *user, const char *message)
{
	(void)user;
	(void)message;
}

int main(int argc, char **argv)
{
	long max_memory_mb = 2048;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--max-memory-mb") == 0 && i + 1 < argc)
			max_memory_mb = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--out-fd") == 0 && i + 1 < argc)
			out_fd = (int)strtol(argv[++i], NULL, 10);
		else
			die("usage: faxgate-pdf-raster [--max-memory-mb N] [--out-fd FD]");
	}
	if (max_memory_mb > 0) {
		struct rlimit lim = { (rlim_t)max_memory_mb << 20, (rlim_t)max_memory_mb << 20 };
		if (setrlimit(RLIMIT_AS, &lim) != 0)
			die("setrlimit failed");
	}
	/* A whole mono page (~0.5 MB) in the pipe at once: fewer wake-ups on both sides. */
	fcntl(1, F_SETPIPE_SZ, 1 << 20);
	static char inbuf[1 << 16];
	setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);

	ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	if (ctx == NULL)
		die("cannot create a MuPDF context");
	/* No anti-aliasing, for the reason given in pdfium.ts (renderFlags): crisper at 204x196. */
	fz_set_aa_level(ctx, 0);
	/* Damaged files produce warnings by the hundred; errors come back in replies instead. */
	fz_set_warning_callback(ctx, silent, NULL);
	fz_set_error_callback(ctx, silent, NULL);

	char line[MAX_LINE];
	unsigned char *top = NULL;
	size_t top_size = 0;
	while (fgets(line, sizeof line, stdin) != NULL) {
		size_t len = strlen(line);
		if (len == 0 || line[len - 1] != '\n') {
			reply_err("request", "line too long");
			return 2; /* out of step with the client: start afresh */
		}
		line[len - 1] = 0;
		char id[MAX_ID], mode[16], out[16];
		unsigned long n;
		int index, w, h, t, clip[4];
		float m[6];
		long long offset = -1;
		int fields;
		if (sscanf(line, "open %63s %lu", id, &n) == 2) {
			if (n > MAX_PDF_BYTES) {
				reply_err("request", "PDF too large");
				return 2;
			}
			op_open(id, n);
		} else if ((fields = sscanf(line, "page %63s %d %d %d %d %d %d %d %f %f %f %f %f %f %15s %d %15s %lu %lld", id, &index, &w, &h, &clip[0], &clip[1], &clip[2], &clip[3], &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], mode, &t, out, &n, &offset)) >= 18) {
			if (n > MAX_TOP_BYTES) {
				reply_err("request", "top rows too large");
				return 2;
			}
			/* The top rows are read before anything is checked: the stream stays in step. */
			if (n > top_size) {
				free(top);
				top = malloc(n);
				top_size = top != NULL ? n : 0;
				if (top == NULL)
					die("no memory for the top rows");
			}
			read_all(top, n);
			if (fields == 19 && (offset < 0 || out_fd < 0))
				reply_err("request", "an offset needs --out-fd and is not negative");
			else
				op_page(id, index, w, h, clip, m, mode, t, out, top, n, fields == 19 ? offset : -1);
		} else if (sscanf(line, "close %63s", id) == 1) {
			struct doc *d = find_doc(id);
			if (d != NULL)
				close_doc(d);
			write_all("ok\n", 3);
		} else {
			reply_err("request", "unknown request");
		}
	}
	for (int i = 0; i < MAX_DOCS; i++)
		if (docs[i].fz != NULL)
			close_doc(&docs[i]);
	fz_drop_context(ctx);
	return 0;
}
