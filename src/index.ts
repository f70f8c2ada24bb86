export * from './core';
export * from './validation';
export * from './backends';
export * from './asya';
export * from './jobs';
export * from './binding';
export * from './pipeline';
