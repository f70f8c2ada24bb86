export { EnvValue } from './env';
export { Volume, VolumeMount, EmptyDirOptions } from './volume';
export { ResourceRequirements, ResourceQuantity, GpuResources } from './resources';
export { ContainerOptions, NamedContainer, ContainerPort, Probe, ProbeOptions, SecurityOptions } from './container';
export { PodOptions, Toleration } from './pod';
export { ImagePolicy, ImagePolicyProps } from './image-policy';
export { AwsCredentialEndpoints, ClusterDns, KubeDnsOptions, NetworkPeer, PodTraffic, TrafficFlow, TrafficPort } from './traffic';
export { IServedModel, MetricsEndpoint, ModelProtocol } from './served-model';
