// tasks.ts: the task module of the errors examples.
import { defineTasks } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  echo: (value: unknown) => value,
});
