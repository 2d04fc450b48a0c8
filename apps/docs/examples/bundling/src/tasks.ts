// The app's tasks. In a bundle they end up in the same file as the program, and a worker imports
// that file: the program must run only under `if (isMain())`.
import { defineTasks } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  square: (x: number) => x * x,
  greet: (name: string) => console.log(`hello ${name}`),
});
