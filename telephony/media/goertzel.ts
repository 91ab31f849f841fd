/**
 * Goertzel's algorithm: the power of one frequency over a block of samples, in about one
 * multiply-add per sample, without a full FFT. The detector runs a handful of these on
 * each 20 ms block.
 */
export class Goertzel {
  private readonly coeff: number;

  constructor(
    readonly frequency: number,
    readonly sampleRate = 8000,
  ) {
    this.coeff = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  }

  /**
   * |X(f)|^2 over samples[start, end). For a sine of amplitude A lasting the whole block of
   * N samples at the filter frequency this is (A N / 2)^2.
   */
  power(samples: ArrayLike<number>, start = 0, end = samples.length): number {
    let s1 = 0;
    let s2 = 0;
    const c = this.coeff;
    for (let i = start; i < end; i++) {
      const s0 = (samples[i] as number) + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return s1 * s1 + s2 * s2 - c * s1 * s2;
  }
}
