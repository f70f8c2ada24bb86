export { AsyncActor, AsyncActorProps, HandlerMode, SidecarOptions } from './async-actor';
export { IAsyncStep, EgressRule, AsyaGatewayEndpoint, StepScaler } from './async-step';
export { AsyaCrew, AsyaCrewProps, ResultStorage, S3StorageOptions, MinioStorageOptions } from './crew';
export { AsyaImages } from './images';
export { AsyaNamespace, AsyaNamespaceProps } from './asya-namespace';
export { QueueNaming } from './queue-naming';
export { ScalingOptions, AdvancedScalingOptions } from './scaling';
export { Transport, RabbitMqTransportOptions, SqsTransportOptions } from './transport';
export { HandlerStep, HandlerStepProps, HandlerActorOptions } from './handler-step';
