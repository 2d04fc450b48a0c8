// Every optional property a caller of this package writes also accepts `undefined`, for programs
// compiled with `exactOptionalPropertyTypes`: see the comment atop vitest.option-types.ts.
import { describeOptionTypesGuard } from '../../../vitest.option-types.ts';

describeOptionTypesGuard(
  new URL('../src/index.ts', import.meta.url),
  new URL('../tsconfig.json', import.meta.url),
  {
    minChecked: 20,
  },
);
