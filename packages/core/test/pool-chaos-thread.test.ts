// The chaos test in the thread context; the test itself, and how to soak it, are in pool-chaos.ts.
import { describeChaos } from './pool-chaos.ts';

describeChaos('thread');
