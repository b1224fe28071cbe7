// @ts-check

// Latencies go into buckets 4 % wide: percentiles to within 4 %, in memory that does not grow
// with the number of requests (the soak measures the RSS of its own process).
const BUCKET_BASE_MS = 0.05;
const BUCKET_GROWTH = 1.04;

/** A histogram of durations in milliseconds. */
class Latencies {
  constructor() {
    /** @type {Map<number, number>} */
    this.buckets = new Map();
    this.count = 0;
  }

  /** @param {number} ms */
  add(ms) {
    const bucket = Math.max(0, Math.ceil(Math.log(Math.max(ms, BUCKET_BASE_MS) / BUCKET_BASE_MS) / Math.log(BUCKET_GROWTH)));
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    this.count += 1;
  }

  /** @param {number} fraction 0.5 for the median @returns {number | undefined} ms, undefined when empty */
  percentile(fraction) {
    if (this.count === 0) return undefined;
    const rank = Math.ceil(fraction * this.count);
    let seen = 0;
    for (const bucket of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += /** @type {number} */ (this.buckets.get(bucket));
      if (seen >= rank) return BUCKET_BASE_MS * BUCKET_GROWTH ** bucket;
    }
    return undefined;
  }
}

/**
 * What the soak measures over one phase (or the whole run): requests and their outcomes,
 * latencies, the longest error streak and the process's memory at both ends.
 */
export class PhaseStats {
  /** @param {string} name @param {string} note */
  constructor(name, note = '') {
    this.name = name;
    this.note = note;
    this.requests = 0;
    this.succeeded = 0;
    /** @type {Map<string, number>} */
    this.errorsByCode = new Map();
    this.okLatency = new Latencies();
    this.failLatency = new Latencies();
    // The error streak: from a failed answer to the next successful one, in the order answers come.
    /** @type {number | undefined} */
    this.streakStart = undefined;
    this.lastFailure = 0;
    this.longestStreakMs = 0;
    /** @type {{ rss: number, heap: number | undefined } | undefined} */
    this.memoryAtStart = undefined;
    /** @type {{ rss: number, heap: number | undefined } | undefined} */
    this.memoryAtEnd = undefined;
  }

  /**
   * One answered request, when it was answered.
   *
   * @param {{ ok: boolean, code?: string, ms: number }} result
   * @param {number} answeredAt performance.now() when it was answered
   */
  record(result, answeredAt) {
    this.requests += 1;
    if (result.ok) {
      this.succeeded += 1;
      this.okLatency.add(result.ms);
      if (this.streakStart !== undefined) {
        this.longestStreakMs = Math.max(this.longestStreakMs, answeredAt - this.streakStart);
        this.streakStart = undefined;
      }
      return;
    }
    const code = result.code ?? 'UNKNOWN';
    this.errorsByCode.set(code, (this.errorsByCode.get(code) ?? 0) + 1);
    this.failLatency.add(result.ms);
    this.streakStart ??= answeredAt;
    this.lastFailure = answeredAt;
  }

  /** The longest error streak so far, in ms; a streak still open counts up to its last failure. */
  longestErrorStreakMs() {
    if (this.streakStart === undefined) return this.longestStreakMs;
    return Math.max(this.longestStreakMs, this.lastFailure - this.streakStart);
  }

  successRatio() {
    return this.requests === 0 ? 1 : this.succeeded / this.requests;
  }

  /** @returns {number | undefined} RSS growth from start to end, in % of the start */
  rssGrowthPercent() {
    if (!this.memoryAtStart || !this.memoryAtEnd) return undefined;
    return ((this.memoryAtEnd.rss - this.memoryAtStart.rss) / this.memoryAtStart.rss) * 100;
  }
}

/**
 * The process's memory now: its RSS as the load leaves it and, with `collect`, what JavaScript
 * still holds (the heap and Buffers) after a full collection, when `node --expose-gc` allows one
 * (`npm run soak` does). RSS is read first: the collection makes V8 give pages back.
 *
 * @param {boolean} collect
 * @returns {{ rss: number, heap: number | undefined }}
 */
export function sampleMemory(collect) {
  const rss = process.memoryUsage.rss();
  const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc;
  if (!collect || !gc) return { rss, heap: undefined };
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { rss, heap: heapUsed + arrayBuffers };
}
