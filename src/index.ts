export * from './core';
export * from './validation';
