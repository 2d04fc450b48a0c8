/** The demo's sections, in the order a default run shows them. */
import type { Example } from '../example.js';
import { ans1 } from './ans1.js';
import { ans2 } from './ans2.js';
import { ans3 } from './ans3.js';
import { ans4 } from './ans4.js';
import { ans5 } from './ans5.js';
import { ans6 } from './ans6.js';
import { faults } from './faults.js';
import { ipc } from './ipc.js';

export const EXAMPLES: readonly Example[] = [ans3, ans5, ans6, ans1, ans2, ans4, ipc, faults];

/** The valid names, for `--list` and error messages. */
export const EXAMPLE_NAMES: readonly string[] = EXAMPLES.map((example) => example.name);
