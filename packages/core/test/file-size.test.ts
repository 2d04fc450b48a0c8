// Every source file of this package stays under 400 lines. How to split a file that crosses it:
// see the comment atop vitest.file-size.ts.
import { describeFileSizeGuard } from '../../../vitest.file-size.ts';

describeFileSizeGuard(new URL('../src/', import.meta.url), { maxLines: 400, minFiles: 50 });
