// The Pool's failure semantics in the process context; the tests are in pool-failures.ts.
import { describePoolFailures } from './pool-failures.ts';

describePoolFailures('process');
