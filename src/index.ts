export * from './core';
export * from './validation';
export * from './backends';
export * from './asya';
