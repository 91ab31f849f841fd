/*
 * T.6 (MMR) coding for faxgate-pdf-raster: the helper hands back coded pages, not bits.
 *
 * Why a second coder beside protocols/t4 (which stays the reference and codes every page not
 * drawn by MuPDF): a page drawn here would otherwise leave the helper as 0.5 MB of bits, be
 * read by a page worker and coded there in JavaScript, about 6 ms of a page's 15 (the render
 * bench's breakdown). Coded here it costs about a third of that, and what crosses to the
 * worker is the 50-100 KB of a coded text page. test/interop/documents/mupdf-mmr.test.ts checks
 * that this coder's bytes equal protocols/t4's, page for page and on edge-case rows, so the
 * two cannot drift apart.
 *
 * The procedure is T.4 4.2.1.3 (figure 7/T.4) as T.6 uses it: every row two-dimensional,
 * against the row above (an imaginary white row above the first), no EOLs, EOFB at the end.
 * A row is first turned into its list of changing elements (positions where a pixel differs
 * from the one left of it, starting from an imaginary white pixel), read 64 pixels at a time.
 */
#include "mmr.h"

#include <string.h>

/*
 * The two hot functions are built twice on x86-64 and picked when the program loads, by what
 * the CPU has: with LZCNT and BMI (x86-64-v3, every x86 server since about 2013) finding a
 * row's changes costs a cycle per change where the baseline's BSR costs four, and a page codes
 * in about two thirds of the time. The baseline keeps the program running on any x86-64.
 */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
#endif
#ifndef HOT
#define HOT
#endif

/* Tables 1/T.4 to 3/T.4: terminating codes 0..63, make-up codes 64..1728, then 1792..2560. */
static const char *const white_term[64] = {
	"00110101", "000111", "0111", "1000", "1011", "1100", "1110", "1111",
	"10011", "10100", "00111", "01000", "001000", "000011", "110100", "110101",
	"101010", "101011", "0100111", "0001100", "0001000", "0010111", "0000011", "0000100",
	"0101000", "0101011", "0010011", "0100100", "0011000", "00000010", "00000011", "00011010",
	"00011011", "00010010", "00010011", "00010100", "00010101", "00010110", "00010111", "00101000",
	"00101001", "00101010", "00101011", "00101100", "00101101", "00000100", "00000101", "00001010",
	"00001011", "01010010", "01010011", "01010100", "01010101", "00100100", "00100101", "01011000",
	"01011001", "01011010", "01011011", "01001010", "01001011", "00110010", "00110011", "00110100",
};
static const char *const black_term[64] = {
	"0000110111", "010", "11", "10", "011", "0011", "0010", "00011",
	"000101", "000100", "0000100", "0000101", "0000111", "00000100", "00000111", "000011000",
	"0000010111", "0000011000", "0000001000", "00001100111", "00001101000", "00001101100", "00000110111", "00000101000",
	"00000010111", "00000011000", "000011001010", "000011001011", "000011001100", "000011001101", "000001101000", "000001101001",
	"000001101010", "000001101011", "000011010010", "000011010011", "000011010100", "000011010101", "000011010110", "000011010111",
	"000001101100", "000001101101", "000011011010", "000011011011", "000001010100", "000001010101", "000001010110", "000001010111",
	"000001100100", "000001100101", "000001010010", "000001010011", "000000100100", "000000110111", "000000111000", "000000100111",
	"000000101000", "000001011000", "000001011001", "000000101011", "000000101100", "000001011010", "000001100110", "000001100111",
};
static const char *const white_makeup[27] = {
	"11011", "10010", "010111", "0110111", "00110110", "00110111", "01100100", "01100101",
	"01101000", "01100111", "011001100", "011001101", "011010010", "011010011", "011010100", "011010101",
	"011010110", "011010111", "011011000", "011011001", "011011010", "011011011", "010011000", "010011001",
	"010011010", "011000", "010011011",
};
static const char *const black_makeup[27] = {
	"0000001111", "000011001000", "000011001001", "000001011011", "000000110011", "000000110100", "000000110101", "0000001101100",
	"0000001101101", "0000001001010", "0000001001011", "0000001001100", "0000001001101", "0000001110010", "0000001110011", "0000001110100",
	"0000001110101", "0000001110110", "0000001110111", "0000001010010", "0000001010011", "0000001010100", "0000001010101", "0000001011010",
	"0000001011011", "0000001100100", "0000001100101",
};
static const char *const extended_makeup[13] = {
	"00000001000", "00000001100", "00000001101", "000000010010", "000000010011", "000000010100", "000000010101",
	"000000010110", "000000010111", "000000011100", "000000011101", "000000011110", "000000011111",
};

#define MAX_MAKEUP 2560
/* Runs below this are one table entry (a make-up code, if any, then a terminating code). */
#define RUN_TABLE 2624
/* Sentinel copies of the width after a row's changes, so b1 and b2 are read without tests. */
#define SENTINELS 4

/* run_code[colour][run]: code << 5 | length in bits (at most 25). */
static uint32_t run_code[2][RUN_TABLE];
static uint32_t makeup_2560;
static int tables_ready;

static uint32_t parse_code(const char *s, int *len)
{
	uint32_t v = 0;
	int n = 0;
	for (; s[n] != 0; n++)
		v = (v << 1) | (uint32_t)(s[n] - '0');
	*len = n;
	return v;
}

static void build_tables(void)
{
	for (int colour = 0; colour < 2; colour++) {
		const char *const *term = colour == 0 ? white_term : black_term;
		const char *const *makeup = colour == 0 ? white_makeup : black_makeup;
		for (int run = 0; run < RUN_TABLE; run++) {
			int m = run >> 6, tl, ml = 0;
			uint32_t tc = parse_code(term[run & 63], &tl), mc = 0;
			if (m > 0)
				mc = parse_code(m <= 27 ? makeup[m - 1] : extended_makeup[m - 28], &ml);
			run_code[colour][run] = (((mc << tl) | tc) << 5) | (uint32_t)(ml + tl);
		}
	}
	int l;
	uint32_t c = parse_code(extended_makeup[12], &l);
	makeup_2560 = (c << 5) | (uint32_t)l;
	tables_ready = 1;
}

size_t mmr_list_size(int w)
{
	/* Changes found in the padding of the last word are dropped, but written first. */
	return (size_t)((w + 63) & ~63) + SENTINELS + 1;
}

size_t mmr_bound(int w, int h)
{
	/*
	 * A row's codes stay under 10 bits a pixel (alternating pixels in horizontal mode cost 6,
	 * vertical codes at most 7 per change); 16 bytes a row cover make-ups of long runs and
	 * the word stores, 16 more EOFB and fill.
	 */
	return ((size_t)(w + 7) / 8 * 10 + 16) * (size_t)h + 16;
}

static inline uint64_t load_be64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}

/* The row's changing elements into out, then SENTINELS copies of w; returns their count. */
HOT static int find_changes(const unsigned char *row, int w, size_t row_bytes, int32_t *out)
{
	const int words = (int)(row_bytes / 8);
	int n = 0;
	uint64_t prev = 0; /* the last pixel of the word before, at bit 63 */
	for (int j = 0; j < words; j++) {
		uint64_t v = load_be64(row + (size_t)j * 8);
		uint64_t t = v ^ ((v >> 1) | prev);
		prev = v << 63;
		const int base = j << 6;
		while (t != 0) {
			int z = __builtin_clzll(t);
			out[n++] = base + z;
			t &= ~(0x8000000000000000ull >> z);
		}
	}
	const size_t tail = row_bytes & 7;
	if (tail != 0) {
		/* The last bytes at the top of one more word; changes past w are dropped below. */
		unsigned char last[8] = { 0 };
		memcpy(last, row + (size_t)words * 8, tail);
		uint64_t v = load_be64(last);
		uint64_t t = v ^ ((v >> 1) | prev);
		const int base = words << 6;
		while (t != 0) {
			int z = __builtin_clzll(t);
			out[n++] = base + z;
			t &= ~(0x8000000000000000ull >> z);
		}
	}
	while (n > 0 && out[n - 1] >= w)
		n--;
	for (int i = 0; i <= SENTINELS; i++)
		out[n + i] = w;
	return n;
}

/*
 * The bit writer: codes are shifted into a 64-bit accumulator; after each code the pending
 * bits (at most 7 + 25) go out as one big-endian 8-byte store, and only the whole bytes among
 * them are counted (the partial one is stored again with the next code). No branch on how
 * full the accumulator is: that branch would be mispredicted every few codes.
 */
struct bits {
	unsigned char *o;
	uint64_t acc;
	int n;
};

/*
 * The writer's state lives in locals of the coding loop (PUT works on o, acc and n): through
 * the struct, every store of output bytes could alias it as far as the compiler knows, and it
 * would be reloaded after each code.
 */
#define PUT(code, len)                                                  \
	do {                                                            \
		acc = (acc << (len)) | (code);                          \
		n += (len); /* >= 1: every code has a bit */            \
		const uint64_t word_ = __builtin_bswap64(acc << (64 - n)); \
		memcpy(o, &word_, 8);                                   \
		o += n >> 3;                                            \
		n &= 7;                                                 \
	} while (0)

#define PUT_RUN(colour, length)                                         \
	do {                                                            \
		int run_ = (length);                                    \
		while (run_ >= RUN_TABLE) {                             \
			PUT(makeup_2560 >> 5, (int)(makeup_2560 & 31)); \
			run_ -= MAX_MAKEUP;                             \
		}                                                       \
		const uint32_t e_ = run_code[colour][run_];             \
		PUT(e_ >> 5, (int)(e_ & 31));                           \
	} while (0)

/*
 * Vertical modes VL3..VR3 by a1 - b1 + 3 (table 4/T.4): codes and lengths packed a nibble
 * each, as in protocols/t4's coder.
 */
#define V_LEN(v) ((0x7631367u >> ((v) << 2)) & 15)
#define V_CODE(v) ((0x3331222u >> ((v) << 2)) & 15)

/* One row against its reference row (both lists end in sentinels). */
HOT static void code_row(struct bits *b, const int32_t *cur, const int32_t *ref, int w)
{
	unsigned char *o = b->o;
	uint64_t acc = b->acc;
	int n = b->n;
	int a0 = -1;
	int ia = 0; /* index of a1 in cur; its parity is a0's colour (even: white) */
	int ib = 0; /* index of b1 in ref: the first change right of a0 to the other colour */
	int bl = -1; /* ref[ib - 1], or -1 where there is none */
	for (;;) {
		const int a1 = cur[ia];
		const int b1 = ref[ib];
		const int b2 = ref[ib + 1];
		if (b2 < a1) {
			/* Pass mode: a0 moves under b2; b1 is then the next change of the same colour. */
			PUT(1, 4);
			a0 = b2;
			bl = b2;
			ib += 2;
			continue;
		}
		const int v = a1 - b1 + 3;
		if ((unsigned)v <= 6) {
			PUT(V_CODE(v), (int)V_LEN(v));
			a0 = a1;
			ia++;
			if (a0 >= w)
				break;
			/*
			 * Most codes are vertical, and most of those leave the next b1 at b2: the next
			 * change of b1's other colour right of a1, when ref[ib - 1] (the one before it)
			 * is not.
			 */
			if (bl <= a1 && a1 < b2) {
				bl = b1;
				ib++;
				continue;
			}
		} else {
			const int a2 = cur[ia + 1];
			PUT(1, 3); /* horizontal: 001 */
			PUT_RUN(ia & 1, a1 - (a0 < 0 ? 0 : a0));
			PUT_RUN((ia & 1) ^ 1, a2 - a1);
			a0 = a2;
			ia += 2;
			if (a0 >= w)
				break;
		}
		/*
		 * The next b1: ref[ib - 2], of b1's colour and left of it, was at or left of the old
		 * a0, so every change before ref[ib - 1] still is; search from there and step to the
		 * right colour.
		 */
		int q = ib > 0 ? ib - 1 : 0;
		while (ref[q] <= a0)
			q++;
		ib = q + ((q ^ ia) & 1);
		bl = ib > 0 ? ref[ib - 1] : -1;
	}
	b->o = o;
	b->acc = acc;
	b->n = n;
}

size_t mmr_encode(const unsigned char *bits, int w, int h, size_t row_bytes, unsigned char *out, int32_t *lists)
{
	if (!tables_ready)
		build_tables();
	const size_t list = mmr_list_size(w);
	int32_t *ref = lists;
	int32_t *cur = lists + list;
	for (int i = 0; i <= SENTINELS; i++)
		ref[i] = w; /* the imaginary white row above the first */
	struct bits b = { out, 0, 0 };
	const size_t rb = (size_t)(w + 7) / 8;
	for (int y = 0; y < h; y++) {
		find_changes(bits + (size_t)y * row_bytes, w, rb, cur);
		code_row(&b, cur, ref, w);
		int32_t *t = ref;
		ref = cur;
		cur = t;
	}
	/* EOFB (T.6 2.4): two EOLs; then the partial byte, filled with zeros. */
	unsigned char *o = b.o;
	uint64_t acc = b.acc;
	int n = b.n;
	PUT(1, 12);
	PUT(1, 12);
	if (n > 0)
		*o++ = (unsigned char)(acc << (8 - n));
	return (size_t)(o - out);
}
