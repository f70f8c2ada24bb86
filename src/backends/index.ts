export * from './model-backend';
