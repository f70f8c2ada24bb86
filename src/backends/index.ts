export * from './model-backend';
export { ModelServerOptions } from './server-workload';
export * from './model-source';
export * from './openai-model';
export * from './kaito-model';
export * from './kserve-model';
export * from './triton-model';
export * from './ray-serve-model';
export * from './kserve-local-model-cache';
