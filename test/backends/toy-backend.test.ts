/**
 * "How to add a backend" (docs/architecture.md), as a test: a whole backend in this one file, extending
 * ModelServer, bound with AsyncModel, synthesized and schema-validated. Nothing else in the library changes.
 */
import { Construct } from 'constructs';
import {
  AsyncModel, ModelProtocol, ModelServer, ModelServerOptions, Transport,
} from '../../src';
import { check } from '../../src/core/errors';
import { ofKind, one, synthValid, testChart } from '../util';

/** Props of the toy backend: the shared server options plus what is its own. */
interface EchoModelProps extends ModelServerOptions {
  /** The route the bridge posts JSON to. */
  readonly route?: string;
}

const PORT = 8080;

/** A toy model server: one container answering JSON on `route`, as a Deployment and a Service. */
class EchoModel extends ModelServer {
  constructor(scope: Construct, id: string, props: EchoModelProps) {
    super(scope, id, {
      name: props.name,
      component: 'echo',
      labels: props.labels,
      replicas: props.replicas,
      startupTimeout: props.startupTimeout,
      pod: props,
      volumeMounts: props.volumeMounts,
      env: props.env,
    });
    const route = props.route ?? '/predict';
    check(route.startsWith('/'), this, 'route', route, 'must start with "/"');
    this.runServer({
      container: {
        image: props.image ?? 'ghcr.io/acme/echo-model:1.0.0',
        args: ['--port', String(PORT)],
        env: props.env,
        resources: props.resources,
        ports: [{ name: 'http', containerPort: PORT }],
        volumeMounts: props.volumeMounts,
        ...this.httpProbes(PORT, '/healthz'),
      },
    }, props);
    this.serveThroughService({ modelName: this.name, requestPath: route, protocol: ModelProtocol.HTTP_JSON, port: PORT });
  }
}

const CPU = { cpu: { request: '100m', limit: '1' }, memory: { request: '128Mi', limit: '256Mi' } };

describe('a toy backend in one file', () => {
  test('binds with AsyncModel and synthesizes valid YAML', () => {
    const chart = testChart('ml');
    const echo = new EchoModel(chart, 'echo', { resources: CPU });
    new AsyncModel(chart, 'ask', { backend: echo, transport: Transport.rabbitmq() });
    const manifests = synthValid(chart);

    expect(manifests.filter((m) => m.metadata?.name === 'echo')).toMatchSnapshot();
    const dep = one(manifests, 'Deployment', 'echo');
    expect(echo.deployment.name).toBe('echo');
    expect(dep.spec.template.spec.containers[0].securityContext.runAsNonRoot).toBe(true);
    expect(dep.spec.selector.matchLabels).toEqual(echo.podSelector);
    expect(one(manifests, 'Service', 'echo').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
    expect(echo.endpoint).toBe('http://echo.ml.svc.cluster.local:8080');
    const scalers = ofKind(manifests, 'ScaledObject');
    expect(scalers.map((s) => s.spec.scaleTargetRef)).toContainEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'echo' });
    const env = one(manifests, 'AsyncActor', 'ask').spec.workload.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'BRIDGE_URL', value: 'http://echo.ml.svc.cluster.local:8080/predict' });
  });

  test('inherits the shared rules: the naming rule and its own checks', () => {
    expect(() => new EchoModel(testChart(), '9echo', { resources: CPU })).toThrow(
      'test/9echo: name (from the construct id) ("9echo") must be a DNS-1035 label');
    expect(() => new EchoModel(testChart(), 'echo', { resources: CPU, route: 'predict' })).toThrow(
      'test/echo: route ("predict") must start with "/"');
    expect(() => new EchoModel(testChart(), 'echo', { resources: CPU, replicas: -1 })).toThrow(
      'test/echo: replicas (-1) must be a whole number of at least 0');
  });
});
