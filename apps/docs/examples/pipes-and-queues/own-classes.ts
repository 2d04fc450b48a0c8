// own-classes.ts: send instances of your own class (Python pickles them): give the class an
// encoder and register its decoder at the top level of its module, so every worker has it too.
import {
  defineTasks,
  encodeSymbol,
  isMain,
  JoinableQueue,
  Process,
  registerCodec,
} from '@multiproc/multiproc';

export class Task {
  readonly a: number;
  readonly b: number;
  constructor(a: number, b: number) {
    this.a = a;
    this.b = b;
  }
  run(): string {
    return `${this.a} * ${this.b} = ${this.a * this.b}`;
  }
  [encodeSymbol]() {
    return { type: 'app.Task', data: [this.a, this.b] };
  }
}
registerCodec('app.Task', ([a, b]: [number, number]) => new Task(a, b));

export const tasks = defineTasks(import.meta.url, {
  worker: async (jobs: JoinableQueue<Task | null>, results: JoinableQueue<string>) => {
    for (let job = await jobs.get(); job !== null; job = await jobs.get()) {
      await results.put(`${job instanceof Task} ${job.run()}`); // a live Task, methods and all
      jobs.taskDone();
    }
    jobs.taskDone();
  },
});

if (isMain()) {
  const jobs = new JoinableQueue<Task | null>();
  const results = new JoinableQueue<string>();
  const p = new Process({ target: tasks.worker, args: [jobs, results], context: 'process' });
  p.start();
  for (let i = 0; i < 3; i++) await jobs.put(new Task(i, i));
  await jobs.put(null);
  await jobs.join();
  for (let i = 0; i < 3; i++) console.log(await results.get());
  await p.join();
}

// Output:
// true 0 * 0 = 0
// true 1 * 1 = 1
// true 2 * 2 = 4
