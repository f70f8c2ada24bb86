import { App, Chart, Testing } from 'cdk8s';
import { SchemaValidator } from '../src/validation/schema-validator';

/**
 * The one way scenario tests synthesize: every object of the chart is validated against the pinned
 * schemas (CRDs and Kubernetes 1.28), and the test fails with the validator's messages.
 */
export function synthValid(chart: Chart): any[] {
  const manifests = Testing.synth(chart);
  const issues = SchemaValidator.validateObjects(manifests);
  if (issues.length > 0) {
    throw new Error(SchemaValidator.format(issues));
  }
  return manifests;
}

/** Synthesizes and validates every chart of an app; returns the objects per chart id. */
export function synthAppValid(app: App): Record<string, any[]> {
  const out: Record<string, any[]> = {};
  for (const chart of app.charts) out[chart.node.id] = synthValid(chart);
  return out;
}

/** A fresh chart in a fresh test app, in namespace `default` unless told otherwise. */
export function testChart(namespace: string = 'default', id: string = 'test'): Chart {
  const app = Testing.app();
  return new Chart(app, id, { namespace });
}

/** The objects of one kind (and optionally one name) among synthesized manifests. */
export function ofKind(manifests: any[], kind: string, name?: string): any[] {
  return manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata?.name === name));
}

/** The single object of a kind and name; fails when there is not exactly one. */
export function one(manifests: any[], kind: string, name?: string): any {
  const found = ofKind(manifests, kind, name);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}: ${manifests.map((m) => `${m.kind}/${m.metadata?.name}`).join(', ')}`);
  }
  return found[0];
}

/**
 * Small runtime resources with cpu and memory limits (policy ASYA-RES-001: every container the library
 * renders sets them, or opts out with `allowNoLimits: true`).
 */
export const SMALL_RESOURCES = { cpu: { request: '100m', limit: '500m' }, memory: { request: '128Mi', limit: '256Mi' } };

/**
 * The Gateway and EPP props an LlmdModel needs (a Gateway `inference-gateway` in namespace `ai`, Istio's
 * Service name), shared by the tests that build one.
 */
export const LLMD_GATEWAY = {
  eppImage: 'registry.k8s.io/gateway-api-inference-extension/epp:v1.0.1',
  gateway: { name: 'inference-gateway' },
  gatewayUrl: 'http://inference-gateway-istio.ai.svc.cluster.local:80',
  gatewayPodSelector: { 'gateway.networking.k8s.io/gateway-name': 'inference-gateway' },
  gatewayPort: 80,
};
