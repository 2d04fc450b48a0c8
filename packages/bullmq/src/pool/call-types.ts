/** The argument types of the BullMQ Pool's calls, as the local Pool's. */
import type { TaskArgList, TaskArgs } from '@multiproc/core';

/** What `map` feeds a task: its first parameter (anything, for a task that takes none). */
type ItemOf<F> = TaskArgs<F> extends [] ? unknown : TaskArgs<F>[0];
export type Items<F> = Iterable<ItemOf<F>> | AsyncIterable<ItemOf<F>>;
export type ArgLists<F> = Iterable<TaskArgList<F>> | AsyncIterable<TaskArgList<F>>;
/** What an apply call was given after its task, as its body reads it. */
export type Given<O> = [(readonly unknown[] | null)?, (O | null)?];
