/**
 * What `@multiproc/shared` and `@multiproc/ipc` export for the other packages (option parsing,
 * timeouts, error records, the codec's internals, the process context's manager), by package.
 * Neither a context object (`getContext()`) nor the umbrella package carries them: a context
 * carries the library's API, as Python's context objects carry the module's names, not these.
 *
 * The one list: `context.ts` filters with it and the umbrella's export test reads it through
 * `@multiproc/core/internal`, so a new helper export goes here and nowhere else.
 */
export const HELPER_NAMES = {
  '@multiproc/ipc': ['isWaitableObject', 'processAuthkey', 'processManager'],
  '@multiproc/shared': [
    'CODEC_TAG',
    'ERRORS_AS_VALUES',
    'MAX_TIMEOUT_MS',
    'NONE',
    'OWN_STACK',
    'TAKES_ACQUIRE',
    'TAKES_TIMEOUT',
    'addCallerFrames',
    'assertThreadTarget',
    'builtinErrorClass',
    'checkOptionKeys',
    'classifyError',
    'decodeJson',
    'definePythonNames',
    'describeError',
    'describeThrown',
    'describeValue',
    'detachedError',
    'disposableInEveryRealm',
    'encodeError',
    'encodeJson',
    'fromErrorRecord',
    'getOwnerId',
    'gotWorkSince',
    'hasEscaped',
    'holderThread',
    'ifLoopStaysDry',
    'isDetached',
    'isEncodable',
    'isEngineObject',
    'isPythonName',
    'kAbandon',
    'kIsOwned',
    'kReleaseAll',
    'kRestoreAsync',
    'kRestoreSync',
    'keepSymbol',
    'keyName',
    'loadPending',
    'notAnObject',
    'omitNullOptions',
    'ourErrorClass',
    'readOptions',
    'refuseStructuredClone',
    'refusedPart',
    'registerDecodeLoader',
    'registerErrorClasses',
    'rejectArguments',
    'resolveTimeout',
    'runAction',
    'secondsHint',
    'setBarrierActionRunner',
    'setTimeoutAtLeast',
    'spellingOf',
    'takeLoopStock',
    'thrownOrError',
    'toErrorRecord',
    'tooManyArguments',
    'trackAbandonable',
    'unknownOption',
    'watchesThreads',
    'withArticle',
    'withOwnErrorClasses',
  ],
} as const;

/** One helper's name, of either package. */
export type HelperName = (typeof HELPER_NAMES)[keyof typeof HELPER_NAMES][number];

/** Every helper's name, of both packages. */
export const HELPERS: readonly HelperName[] = Object.values(HELPER_NAMES).flat();
