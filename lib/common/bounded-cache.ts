/** Limits of a {@link BoundedCache}. */
export interface BoundedCacheLimits {
  /** Entries kept; past it the least recently used one is dropped. */
  maxEntries: number;
  /** Longest key stored: a longer one is never kept (nor should it be looked up). */
  maxKeyLength: number;
}

/**
 * A least-recently-used map from strings to values, bounded in entries and
 * in key length, for caches keyed by anything a client can send: at most
 * `maxEntries × maxKeyLength` characters of keys, whatever the traffic.
 */
export class BoundedCache<V> {
  readonly #entries = new Map<string, V>();
  readonly maxEntries: number;
  readonly maxKeyLength: number;

  constructor(limits: BoundedCacheLimits) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isSafeInteger(value) || (value as number) < 1) {
        throw new Error(`BoundedCache: ${name} must be a positive integer`);
      }
    }
    this.maxEntries = limits.maxEntries;
    this.maxKeyLength = limits.maxKeyLength;
  }

  /** Entries held now (at most `maxEntries`). */
  get size(): number {
    return this.#entries.size;
  }

  /** Length of the longest key held now (at most `maxKeyLength`), for tests. */
  get longestKey(): number {
    let longest = 0;
    for (const key of this.#entries.keys()) {
      longest = Math.max(longest, key.length);
    }
    return longest;
  }

  /** The value of `key` (now the most recently used), or undefined. */
  get(key: string): V | undefined {
    if (key.length > this.maxKeyLength) return undefined;
    const value = this.#entries.get(key);
    if (value !== undefined) {
      // Map iteration follows insertion: re-inserting marks it most recent.
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Stores `value` unless `key` is too long; drops the least recently used entries beyond `maxEntries`. */
  set(key: string, value: V): void {
    if (key.length > this.maxKeyLength) return;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  /** The cached value of `key`, else `compute(key)`, stored when the key is short enough. */
  getOrCompute(key: string, compute: (key: string) => V): V {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const value = compute(key);
    this.set(key, value);
    return value;
  }

  clear(): void {
    this.#entries.clear();
  }
}
