export * from './schema-validator';
export * from './policy';
export * from './actor/actor-rules';
