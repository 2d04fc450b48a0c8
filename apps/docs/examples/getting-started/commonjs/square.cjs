// square.cjs: run with `node square.cjs` (CommonJS; Node 20.19+, 22.12+ or 24 can require() ESM)
const { pathToFileURL } = require('node:url');
const { defineTasks, isMain, Pool } = require('@multiproc/multiproc');

// CommonJS has no import.meta.url: the file's URL is pathToFileURL(__filename).
const tasks = defineTasks(pathToFileURL(__filename).href, {
  square: (x) => x ** 2,
});
module.exports = { tasks };

async function main() {
  const pool = new Pool({ processes: 4 });
  try {
    console.log(await pool.map(tasks.square, [1, 2, 3, 4, 5]));
  } finally {
    await pool.terminate();
  }
}

if (isMain()) main();

// Output:
// [ 1, 4, 9, 16, 25 ]
