// One way to bound concurrency: a limiter that lets at most `limit` tasks run at once, and the two
// shapes the toolkit calls it in (each item of a list, or a list of tasks with their results in order).

/** A limiter: wrap each task in it, and at most `limit` run at once. */
export function pool(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/** Runs `fn` over every item, at most `limit` at once; rejects with the first failure. */
export async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  const run = pool(limit);
  await Promise.all(items.map((item) => run(() => fn(item))));
}

/** Runs the tasks at most `limit` at once and returns their results in the tasks' order. */
export function runLimited<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const run = pool(limit);
  return Promise.all(tasks.map((t) => run(t)));
}
