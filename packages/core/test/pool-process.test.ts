// The Pool's shared suite in the process context; the tests are in pool.ts.
import { describePool } from './pool.ts';

describePool('process');
