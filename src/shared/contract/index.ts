export * from './errors';
export * from './events';
export * from './methods';
export * from './roles';
export * from './schemas';
export * from './wire';
