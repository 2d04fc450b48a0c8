// manager.ts: the Python docs' Manager example: a child process changes a dict and a list that
// live in the manager, and the parent sees the changes.
import { type DictProxy, defineTasks, isMain, type ListProxy, Manager, Process } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  async f(d: DictProxy<number | string, string | number | null>, l: ListProxy<number>) {
    await d.set(1, '1');
    await d.set('2', 2);
    await d.set(0.25, null);
    await l.reverse();
  },
});

if (isMain()) {
  await using manager = Manager(); // Python: with Manager() as manager:
  const d = manager.dict<number | string, string | number | null>();
  const l = manager.list([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const p = new Process({ target: tasks.f, args: [d, l], context: 'process' });
  p.start();
  await p.join();
  console.log(await d.copy());
  console.log(await l.copy());
  const copy = (await d.get(1)) as string; // a copy: changing it does not write back
  console.log(copy, await d.len());
}

// Output:
// Map(3) { 1 => '1', '2' => 2, 0.25 => null }
// [
//   9, 8, 7, 6, 5,
//   4, 3, 2, 1, 0
// ]
// 1 3
