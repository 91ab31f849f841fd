/*
 * T.6 (MMR) coding of packed bilevel rows, for faxgate-pdf-raster. See mmr.c for why the
 * helper codes its pages itself.
 */
#ifndef FAXGATE_MMR_H
#define FAXGATE_MMR_H

#include <stddef.h>
#include <stdint.h>

/* Widths the coder takes: T.4's run codes reach any width, the sentinel arithmetic this. */
#define MMR_MAX_WIDTH 65535

/* Most bytes mmr_encode writes for a page of w x h (rows of any content, EOFB, fill). */
size_t mmr_bound(int w, int h);

/*
 * Codes h rows of w pixels (MSB first, 1 = black; row y at bits + y * row_bytes, bits past w
 * ignored) as one T.6 page ending in EOFB, filled to a byte. `out` holds mmr_bound(w, h)
 * bytes; `lists` holds 2 * mmr_list_size(w) ints of scratch. Returns the bytes written.
 */
size_t mmr_encode(const unsigned char *bits, int w, int h, size_t row_bytes, unsigned char *out, int32_t *lists);

/* Ints one row's list of changing elements needs (with its sentinels). */
size_t mmr_list_size(int w);

#endif
