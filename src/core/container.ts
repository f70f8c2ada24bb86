import { IConstruct } from 'constructs';
import { EnvValue } from './env';
import { check } from './errors';
import { checkImage } from './image';
import { boolProp, enumProp, intProp, listProp, objectProp, stringListProp, stringProp } from './props';
import { renderResources, ResourceRequirements } from './resources';
import { VolumeMount } from './volume';

/**
 * A port a container listens on.
 */
export interface ContainerPort {
  /** The port number. */
  readonly containerPort: number;
  /**
   * An IANA service name (at most 15 characters), used by Services and monitors.
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * TCP, UDP or SCTP.
   * @default "TCP"
   */
  readonly protocol?: string;
}

/**
 * Options of a probe.
 */
export interface ProbeOptions {
  /** @default 0 */
  readonly initialDelaySeconds?: number;
  /** @default 10 */
  readonly periodSeconds?: number;
  /** @default 1 */
  readonly timeoutSeconds?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
}

function requiredPort(where: string, port: number): number {
  check(port !== undefined && port !== null, where, 'port', port, 'is required');
  return port;
}

/** The known probe options, each a whole int32 number in its Kubernetes range (unknown keys dropped). */
function probeOptions(where: string, options: ProbeOptions): ProbeOptions {
  const o = objectProp(where, 'options', options);
  const out: { [k: string]: number } = {};
  const ranges: Array<[keyof ProbeOptions, number]> = [['initialDelaySeconds', 0], ['periodSeconds', 1], ['timeoutSeconds', 1], ['failureThreshold', 1]];
  for (const [k, min] of ranges) {
    const v = intProp(where, `options.${k}`, o[k], min);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * A container probe (readiness, liveness or startup).
 */
export class Probe {
  /**
   * An HTTP GET that must answer 2xx or 3xx.
   */
  public static httpGet(path: string, port: number, options: ProbeOptions = {}): Probe {
    check(typeof path === 'string' && path.startsWith('/'), 'Probe.httpGet', 'path', path, 'must be an absolute HTTP path such as /health');
    intProp('Probe.httpGet', 'port', requiredPort('Probe.httpGet', port), 1, 65535);
    return new Probe({ httpGet: { path, port }, ...probeOptions('Probe.httpGet', options) });
  }

  /**
   * A TCP connection that must open.
   */
  public static tcpSocket(port: number, options: ProbeOptions = {}): Probe {
    intProp('Probe.tcpSocket', 'port', requiredPort('Probe.tcpSocket', port), 1, 65535);
    return new Probe({ tcpSocket: { port }, ...probeOptions('Probe.tcpSocket', options) });
  }

  /**
   * A command that must exit 0.
   */
  public static exec(command: string[], options: ProbeOptions = {}): Probe {
    check(stringListProp('Probe.exec', 'command', command).length > 0, 'Probe.exec', 'command', command, 'must name a command to run');
    return new Probe({ exec: { command: [...command] }, ...probeOptions('Probe.exec', options) });
  }

  private constructor(private readonly spec: any) {}

  /** @internal */
  public _toJson(): any {
    return { ...this.spec };
  }
}

/**
 * Security settings of a workload. The defaults meet the Pod Security Standard `restricted`.
 */
export interface SecurityOptions {
  /**
   * Let the containers run as root (drops `runAsNonRoot`; some model server images need it).
   * The pod then no longer meets PSS `restricted`: say why in a comment next to this opt-out.
   * @default false
   */
  readonly allowRoot?: boolean;
  /**
   * The user id the containers run as.
   * @default 1000 (unless allowRoot)
   */
  readonly runAsUser?: number;
  /**
   * The group id the containers run as.
   * @default 1000 (unless allowRoot)
   */
  readonly runAsGroup?: number;
  /**
   * Group owning mounted volumes.
   * @default 1000 (unless allowRoot)
   */
  readonly fsGroup?: number;
  /**
   * Mount the container's root filesystem read-only.
   * @default false
   */
  readonly readOnlyRootFilesystem?: boolean;
}

/**
 * What runs in a container: one shape shared by actors, model servers and job tasks.
 */
export interface ContainerOptions {
  /**
   * The image, pinned by tag or digest (`:latest` and untagged images are rejected).
   */
  readonly image: string;
  /**
   * Accept an untagged or `:latest` image.
   * @default false
   */
  readonly allowUnpinnedImage?: boolean;
  /**
   * The entrypoint.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments to the entrypoint.
   * @default - the image's CMD
   */
  readonly args?: string[];
  /**
   * Environment variables, by name. Reference secrets with `EnvValue.fromSecret`.
   * @default - none
   */
  readonly env?: { [name: string]: EnvValue };
  /**
   * Compute resources: required, with cpu and memory limits (policy ASYA-RES-001), or `allowNoLimits: true`
   * to opt out explicitly. No defaults are invented for you.
   * @default - none: refused unless set
   */
  readonly resources?: ResourceRequirements;
  /**
   * Ports the container listens on.
   * @default - none
   */
  readonly ports?: ContainerPort[];
  /**
   * Volume mounts (the volumes are declared on the pod).
   * @default - none
   */
  readonly volumeMounts?: VolumeMount[];
  /**
   * Always, IfNotPresent or Never.
   * @default - Kubernetes' default (IfNotPresent for pinned tags)
   */
  readonly imagePullPolicy?: string;
  /**
   * Working directory.
   * @default - the image's
   */
  readonly workingDir?: string;
  /**
   * Readiness probe.
   * @default - none
   */
  readonly readinessProbe?: Probe;
  /**
   * Liveness probe.
   * @default - none
   */
  readonly livenessProbe?: Probe;
  /**
   * Startup probe.
   * @default - none
   */
  readonly startupProbe?: Probe;
}

/**
 * A named container (sidecars and init containers).
 */
export interface NamedContainer extends ContainerOptions {
  /** The container name, a DNS-1123 label unique in the pod. */
  readonly name: string;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

/** The container-level security context of PSS `restricted` (or its root opt-out). */
export function containerSecurityContext(sec: SecurityOptions = {}): any {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    ...(sec.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
    ...(sec.allowRoot ? {} : { runAsNonRoot: true }),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Validates a container's options and renders the container in Kubernetes JSON, with the security
 * defaults applied.
 * @param field prop path for error messages, e.g. `sidecars[0]`
 */
export function renderContainer(scope: IConstruct | string, field: string, name: string, c: ContainerOptions, sec: SecurityOptions = {}): any {
  const prefix = field ? `${field}.` : '';
  check(c !== null && typeof c === 'object' && !Array.isArray(c), scope, field || 'container', c, 'must be an object of container options');
  checkImage(scope, `${prefix}image`, c.image, c.allowUnpinnedImage);
  boolProp(scope, `${prefix}allowUnpinnedImage`, c.allowUnpinnedImage);
  if (stringProp(scope, `${prefix}workingDir`, c.workingDir) !== undefined) {
    check(c.workingDir!.startsWith('/'), scope, `${prefix}workingDir`, c.workingDir, 'must be an absolute path');
  }
  for (const k of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    if (c[k] !== undefined) check(c[k] instanceof Probe, scope, `${prefix}${k}`, c[k], 'must be a Probe (Probe.httpGet, Probe.tcpSocket or Probe.exec)');
  }
  if (c.imagePullPolicy !== undefined) {
    check(PULL_POLICIES.includes(c.imagePullPolicy), scope, `${prefix}imagePullPolicy`, c.imagePullPolicy, `must be one of ${PULL_POLICIES.join(', ')}`);
  }
  const env = Object.entries(objectProp(scope, `${prefix}env`, c.env)).map(([k, v]) => {
    check(ENV_NAME.test(k), scope, `${prefix}env`, k, 'is not a valid environment variable name ([-._a-zA-Z][-._a-zA-Z0-9]*)');
    check(v instanceof EnvValue, scope, `${prefix}env.${k}`, v, 'must be an EnvValue (EnvValue.fromValue, fromSecret, fromConfigMap, fromFieldRef)');
    return v._toJson(k);
  });
  const portNames = new Set<string>();
  const ports = listProp(scope, `${prefix}ports`, c.ports).map((p, i) => {
    check(Number.isInteger(p.containerPort) && p.containerPort >= 1 && p.containerPort <= 65535, scope, `${prefix}ports[${i}].containerPort`, p.containerPort, 'must be a port number from 1 to 65535');
    enumProp(scope, `${prefix}ports[${i}].protocol`, p.protocol, ['TCP', 'UDP', 'SCTP']);
    if (p.name !== undefined) {
      check(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.name) && p.name.length <= 15 && /[a-z]/.test(p.name), scope, `${prefix}ports[${i}].name`, p.name,
        'must be an IANA service name (at most 15 lowercase letters, digits and "-", with at least one letter)');
      check(!portNames.has(p.name), scope, `${prefix}ports[${i}].name`, p.name, 'is used by another port of the container');
      portNames.add(p.name);
    }
    return { containerPort: p.containerPort, ...(p.name ? { name: p.name } : {}), ...(p.protocol ? { protocol: p.protocol } : {}) };
  });
  const mounts = listProp(scope, `${prefix}volumeMounts`, c.volumeMounts).map((m, i) => {
    check(typeof m.mountPath === 'string' && m.mountPath.startsWith('/'), scope, `${prefix}volumeMounts[${i}].mountPath`, m.mountPath, 'must be an absolute path');
    boolProp(scope, `${prefix}volumeMounts[${i}].readOnly`, m.readOnly);
    if (stringProp(scope, `${prefix}volumeMounts[${i}].subPath`, m.subPath) !== undefined) {
      check(!m.subPath!.startsWith('/') && !m.subPath!.split('/').includes('..'), scope, `${prefix}volumeMounts[${i}].subPath`, m.subPath, 'must be a relative path without ".."');
    }
    return {
      name: m.volume,
      mountPath: m.mountPath,
      ...(m.subPath ? { subPath: m.subPath } : {}),
      ...(m.readOnly ? { readOnly: true } : {}),
    };
  });
  return {
    name,
    image: c.image,
    ...(c.imagePullPolicy ? { imagePullPolicy: c.imagePullPolicy } : {}),
    ...(c.command ? { command: stringList(scope, `${prefix}command`, c.command) } : {}),
    ...(c.args ? { args: stringList(scope, `${prefix}args`, c.args) } : {}),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    ...(env.length ? { env } : {}),
    ...(ports.length ? { ports } : {}),
    ...(mounts.length ? { volumeMounts: mounts } : {}),
    ...(c.resources !== undefined ? { resources: renderResources(scope, `${prefix}resources`, c.resources) } : {}),
    ...(c.readinessProbe ? { readinessProbe: c.readinessProbe._toJson() } : {}),
    ...(c.livenessProbe ? { livenessProbe: c.livenessProbe._toJson() } : {}),
    ...(c.startupProbe ? { startupProbe: c.startupProbe._toJson() } : {}),
    securityContext: containerSecurityContext(sec),
  };
}

function stringList(scope: IConstruct | string, field: string, value: string[]): string[] {
  return listProp(scope, field, value).map((v, i) => {
    check(typeof v === 'string', scope, `${field}[${i}]`, v, 'must be a string');
    return v;
  });
}
