/**
 * Runs one task per key at a time; a request while one runs is queued once, and every request made meanwhile shares
 * that queued run, so a burst of changes costs at most two requests to the cluster. A task that fails fails only the
 * requests that shared it: the next one still runs.
 */
export class LatestOnly {
  #running = new Map<string, Promise<void>>();
  #queued = new Map<string, Promise<void>>();

  request(key: string, task: () => Promise<void>): Promise<void> {
    const queued = this.#queued.get(key);
    if (queued) return queued;
    const running = this.#running.get(key) ?? Promise.resolve();
    const next: Promise<void> = running
      .catch(() => {
        // The failure belongs to the requests of that run; this one runs regardless.
      })
      .then(() => {
        this.#queued.delete(key);
        this.#running.set(key, next);
        return task();
      })
      .finally(() => {
        if (this.#queued.get(key) === next) this.#queued.delete(key);
        if (this.#running.get(key) === next) this.#running.delete(key);
      });
    this.#queued.set(key, next);
    return next;
  }
}
