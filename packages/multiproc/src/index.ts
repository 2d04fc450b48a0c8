export * from '@multiproc/core';
export * from '@multiproc/ipc';
export * from '@multiproc/shared';
