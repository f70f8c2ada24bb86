export { AsyncModel, AsyncModelProps, ModelScalingOptions } from './async-model';
export { BridgeOutput } from './async-model';
