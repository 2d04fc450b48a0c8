// The Pool's shared suite in the thread context; the tests are in pool.ts.
import { describePool } from './pool.ts';

describePool('thread');
