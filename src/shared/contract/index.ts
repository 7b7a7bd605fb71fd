export * from './errors';
export * from './events';
export * from './ipc-channels';
export * from './method-roles';
export * from './methods';
export * from './roles';
export * from './schemas';
export * from './wire';
