/*
 * Test driver for the PDF helper's MMR coder (plugins/documents/pdf/mupdf/mmr.c): reads
 * pages from stdin, each as "W H\n" and H rows of ceil(W/8) bytes, and writes each coded page
 * as "NBYTES\n" and the bytes. With --repeat N it codes every page N times and reports the
 * CPU time on stderr (the benchmark's reference point).
 */
#include "../../../../plugins/documents/pdf/mupdf/mmr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	int repeat = argc == 3 && strcmp(argv[1], "--repeat") == 0 ? atoi(argv[2]) : 1;
	int w, h;
	double cpu = 0;
	while (scanf("%d %d", &w, &h) == 2 && getchar() == '\n') {
		size_t rb = (size_t)(w + 7) / 8;
		unsigned char *bits = malloc(rb * (size_t)h + 1);
		unsigned char *out = malloc(mmr_bound(w, h));
		int32_t *lists = malloc(2 * mmr_list_size(w) * sizeof *lists);
		if (bits == NULL || out == NULL || lists == NULL || fread(bits, 1, rb * (size_t)h, stdin) != rb * (size_t)h)
			return 2;
		size_t n = 0;
		clock_t t0 = clock();
		for (int i = 0; i < repeat; i++)
			n = mmr_encode(bits, w, h, rb, out, lists);
		cpu += (double)(clock() - t0) / CLOCKS_PER_SEC;
		printf("%zu\n", n);
		fwrite(out, 1, n, stdout);
		free(bits);
		free(out);
		free(lists);
	}
	if (repeat > 1)
		fprintf(stderr, "cpu %.6f\n", cpu);
	return 0;
}
