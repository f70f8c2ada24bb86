export { AsyncModel, AsyncModelProps, ModelScalingOptions } from './async-model';
