/** Bucket growth factor: percentiles are exact to within 2 %, which is finer than run-to-run noise. */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** 1.02^1000 µs is about 6.5 minutes, past every deadline in the bench; larger values land in the last bucket. */
const BUCKETS = 1000;

/** Sparse bucket counts, the form a histogram travels in between processes. */
export type HistogramData = Record<number, number>;

/**
 * A log-bucketed latency histogram in microseconds. Fixed size whatever the sample count (a load loop must not
 * grow memory with its own measurements), and histograms from several workers merge by adding counts.
 */
export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  total = 0;

  record(us: number): void {
    const index = us <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(us) / LOG_GROWTH));
    this.counts[index]++;
    this.total++;
  }

  merge(data: HistogramData): void {
    for (const [index, count] of Object.entries(data)) {
      this.counts[Number(index)] += count;
      this.total += count;
    }
  }

  toData(): HistogramData {
    const data: HistogramData = {};
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] > 0) data[i] = this.counts[i];
    return data;
  }

  /** The upper bound of the bucket holding the p-th percentile (0 < p ≤ 100), in µs; NaN when empty. */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return GROWTH ** i;
    }
    return GROWTH ** (BUCKETS - 1);
  }
}
