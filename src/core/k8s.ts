/**
 * The one place this library imports cdk8s-plus-28 (for the Kubernetes 1.28 L1 classes): moving to a
 * newer cdk8s-plus is a change of this file only.
 */
export { k8s } from 'cdk8s-plus-28';
