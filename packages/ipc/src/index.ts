export * from '@multiproc/shared';
