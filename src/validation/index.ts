export * from './schema-validator';
export * from './policy';
