// The chaos test in the process context; the test itself, and how to soak it, are in pool-chaos.ts.
import { describeChaos } from './pool-chaos.ts';

describeChaos('process');
