import { IConstruct } from 'constructs';
import { Transport } from './transport';
import { check } from '../core/errors';
import { IServedModel } from '../core/served-model';
import { NetworkPeer, TrafficFlow, TrafficPort } from '../core/traffic';

/**
 * The Asya gateway, as NetworkPolicies see it. Every sidecar reports progress to it synchronously,
 * three reports per message, each retried 5 times with a 5 s timeout
 * (deliveryhero/asya src/asya-sidecar/internal/progress/reporter.go @ v0.1.1): an actor whose egress
 * blocks it loses over a minute per message.
 */
export interface AsyaGatewayEndpoint {
  /** The gateway's namespace. */
  readonly namespace: string;
  /**
   * Labels of the gateway's pods.
   * @default {"app.kubernetes.io/name": "asya-gateway"} (the asya-gateway chart's selector)
   */
  readonly podSelector?: { [key: string]: string };
  /**
   * The port the gateway's pods listen on (the pod port, not the Service's port 80).
   * @default 8080 (the asya-gateway chart's `config.port`)
   */
  readonly port?: number;
}

/** Checks a gateway declaration. */
export function checkGatewayEndpoint(scope: IConstruct | string, field: string, g: AsyaGatewayEndpoint): void {
  check(!!g && typeof g.namespace === 'string' && g.namespace.length > 0, scope, `${field}.namespace`, g?.namespace, 'must name the gateway\'s namespace');
  if (g.port !== undefined) {
    check(Number.isInteger(g.port) && g.port >= 1 && g.port <= 65535, scope, `${field}.port`, g.port, 'must be a whole number from 1 to 65535');
  }
  if (g.podSelector !== undefined) {
    check(typeof g.podSelector === 'object' && Object.keys(g.podSelector).length > 0, scope, `${field}.podSelector`, g.podSelector,
      'must name at least one label of the gateway\'s pods');
  }
}

/** The egress flow to a gateway. */
export function gatewayFlow(g: AsyaGatewayEndpoint): TrafficFlow {
  return {
    peer: NetworkPeer.pods(g.namespace, g.podSelector ?? { 'app.kubernetes.io/name': 'asya-gateway' }),
    ports: [TrafficPort.tcp(g.port ?? 8080)],
    description: 'Asya gateway (sidecar progress reports)',
  };
}

/**
 * Traffic a step's pods must be allowed to send, besides DNS and the broker (NetworkPolicy egress).
 * Mapped onto the traffic model (`TrafficFlow`); `egressFlows` takes any peer.
 */
export interface EgressRule {
  /**
   * Namespace of the peer pods.
   * @default - the step's own namespace (with podSelector), or any (with ipBlock)
   */
  readonly namespace?: string;
  /**
   * Labels of the peer pods.
   * @default - none (use ipBlock)
   */
  readonly podSelector?: { [key: string]: string };
  /**
   * CIDR of the peer (e.g. `0.0.0.0/0` for an external API).
   * @default - none (use podSelector)
   */
  readonly ipBlock?: string;
  /** TCP ports. */
  readonly ports: number[];
}

/**
 * A KEDA ScaledObject a step creates besides the one the Asya operator makes for its actor (which is
 * named after the actor), e.g. a binding's ScaledObject on its model.
 */
export interface StepScaler {
  /** The ScaledObject's name (KEDA labels its metrics `scaledObject=<name>`). */
  readonly name: string;
  /** Its namespace (also the scale target's). */
  readonly namespace: string;
  /** The scale target's kind (e.g. `Deployment`). */
  readonly targetKind: string;
  /** The scale target's name. */
  readonly targetName: string;
}

/**
 * Something a route can name: an actor consuming its own queue. AsyncActor, AsyncModel and JobLauncher
 * implement it; pipelines know steps only through it.
 */
export interface IAsyncStep extends IConstruct {
  /** The actor name (also the queue suffix and the `asya.sh/asya` pod label value). */
  readonly actorName: string;
  /** The namespace the actor runs in. */
  readonly namespace: string;
  /** The transport the actor consumes from. */
  readonly transport: Transport;
  /** The queue the actor consumes. */
  readonly queueName: string;
  /** True when the handler runs in envelope mode and may rewrite the route at run time. */
  readonly rewritesRoute: boolean;
  /** Pod labels selecting the step's pods. */
  readonly podSelector: { [key: string]: string };
  /** Egress the step needs besides DNS and the broker. */
  readonly egress: EgressRule[];
  /**
   * ScaledObjects the step creates besides the operator's one for its actor (pipelines keep their KEDA
   * series and check that one ScaledObject drives each scale target).
   * @default - none
   */
  readonly scalers?: StepScaler[];
  /**
   * The served model the step calls (a binding's backend), for the diagram and the monitors.
   * @default - none
   */
  readonly servedModel?: IServedModel;

  /** Lets pods of a namespace scrape the step's metrics port (its NetworkPolicy ingress). */
  allowMetricsScrapingFrom(namespace: string): void;
}
