/**
 * The source document's task functions (Ans3, Ans5, Ans6), registered so workers can run them.
 * A worker imports this module and calls the named function, as Python's spawn re-imports `__main__`.
 */
import { defineTasks } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  /** Ans3's `my_process`. */
  myProcess: () => console.log('This is my process.'),
  /** Ans5's `worker_function`. */
  workerFunction: (arg: number) => arg ** 2,
  /** Ans6's `print_num`. */
  printNum: (num: number) => console.log('Number:', num),
});
